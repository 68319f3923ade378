//! The bonus ledger: bases, amounts due, closing periods and the corrections that follow.

use super::export::{ledger_csv, ledger_xlsx};
use super::*;

/// What ledger lines are computed from, with each cadre's username, name and department.
pub(super) struct LedgerInputs {
    facts: LedgerFacts,
    info: HashMap<i32, (String, String, String)>,
}

impl LedgerInputs {
    /// A row of the ledger view for `cadre`, named from the cadre table or else from `fallback`
    /// (a frozen row of someone since removed).
    fn row(&self, cadre: CadreId, period: LedgerPeriod, fallback: Option<&LedgerRow>) -> LedgerRow {
        let (username, name, department) = match self.info.get(&cadre.0) {
            Some(i) => i.clone(),
            None => fallback
                .map(|r| (r.username.clone(), r.name.clone(), r.department.clone()))
                .unwrap_or_default(),
        };
        LedgerRow {
            cadre,
            username,
            name,
            department,
            period: period.key(),
            base: None,
            adjustments: Vec::new(),
            due: Money::ZERO,
        }
    }

    /// The live lines of `period`, by department and username.
    fn rows(&self, period: LedgerPeriod) -> Vec<LedgerRow> {
        let mut rows: Vec<LedgerRow> = self
            .facts
            .cadres(period)
            .into_iter()
            .map(|c| {
                let line = self.facts.line(c, period);
                LedgerRow {
                    base: line.base,
                    adjustments: line.adjustments,
                    due: line.due,
                    ..self.row(c, period, None)
                }
            })
            .collect();
        rows.sort_by(|a, b| (&a.department, &a.username).cmp(&(&b.department, &b.username)));
        rows
    }

    /// The correction rows the open `period` carries and the outcomes they count (see
    /// `LedgerFacts::corrections_into`).
    fn corrections(
        &self,
        period: LedgerPeriod,
        closures: &BTreeMap<LedgerPeriod, (ledger_closure::Model, FrozenPeriod)>,
    ) -> (Vec<LedgerRow>, Vec<SettledOutcomes>) {
        let frozen: BTreeMap<LedgerPeriod, &FrozenPeriod> =
            closures.iter().map(|(p, (_, f))| (*p, f)).collect();
        let carried = self.facts.corrections_into(period, &frozen);
        let rows = carried
            .corrections
            .into_iter()
            .map(|(c, adjustments)| {
                let then = closures
                    .values()
                    .flat_map(|(_, f)| f.rows.iter())
                    .find(|r| r.cadre == c);
                LedgerRow {
                    due: counted_correction(&adjustments),
                    adjustments,
                    ..self.row(c, period, then)
                }
            })
            .collect();
        (rows, carried.settled)
    }
}

/// Columns of the bonus CSV: `username,period,amount` with a header line.
const BASE_COLUMNS: [&str; 3] = ["username", "period", "amount"];

/// Rows one bonus import may hold (a year of five periods for a few hundred people).
pub const MAX_BASE_ROWS: usize = 5_000;

/// One checked line of the bonus CSV: cadre id, period key, amount.
type BaseRow = (i32, String, Money);

/// Reads and checks every line of the bonus CSV (known cadre, period open, amount, no
/// repeated cadre and period): the rows to store, or the errors of all lines at once.
fn read_base_rows(
    lines: &[crate::import::TableLine<3>],
    users: &HashMap<String, i32>,
    closures: &BTreeMap<LedgerPeriod, (ledger_closure::Model, FrozenPeriod)>,
) -> Result<Vec<BaseRow>, AppError> {
    let mut errors = Vec::new();
    let mut seen: HashSet<(i32, String)> = HashSet::new();
    let mut rows: Vec<BaseRow> = Vec::new();
    for (line, cells) in lines {
        let err = |field: &str, reason: &str| ImportRowError {
            line: *line,
            field: field.into(),
            reason: reason.into(),
        };
        let Some(cells) = cells else {
            errors.push(err("csv", "bad_csv"));
            continue;
        };
        let get = |i: usize| cells[i].clone();
        let Some(&cid) = users.get(&get(0)) else {
            errors.push(err("username", "unknown_cadre"));
            continue;
        };
        let period = match LedgerPeriod::parse_key(&get(1)) {
            Ok(p) => p,
            Err(_) => {
                errors.push(err("period", "bad_period"));
                continue;
            }
        };
        if closures.contains_key(&period) {
            errors.push(err("period", "period_closed"));
            continue;
        }
        let amount = match Money::parse("amount", &get(2)) {
            Ok(a) => a,
            Err(AppError::Invalid { reason, .. }) => {
                errors.push(err("amount", &reason));
                continue;
            }
            Err(e) => return Err(e),
        };
        if !seen.insert((cid, period.key())) {
            errors.push(err("username", "duplicate_row"));
            continue;
        }
        rows.push((cid, period.key(), amount));
    }
    if !errors.is_empty() {
        return Err(AppError::RowErrors { errors });
    }
    if rows.is_empty() {
        return Err(AppError::invalid("csv", "empty_file"));
    }
    Ok(rows)
}

impl Service {
    /// The latest base amount of every cadre and period.
    pub(super) async fn bases<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<HashMap<(i32, String), Money>, AppError> {
        Ok(bonus_base::Entity::find()
            .order_by_asc(bonus_base::Column::Id)
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|b| ((b.cadre_id, b.period), Money::from_fen(b.amount_fen)))
            .collect())
    }

    /// Uplift and withholding outcomes (active or pending) per cadre.
    pub(super) async fn ledger_outcomes<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<HashMap<i32, Vec<LedgerOutcome>>, AppError> {
        let rows = outcome::Entity::find()
            .filter(outcome::Column::Status.ne(OutcomeStatus::Withdrawn.code()))
            .filter(
                outcome::Column::Kind
                    .is_in([OutcomeKind::Uplift.code(), OutcomeKind::Withholding.code()]),
            )
            .all(db)
            .await
            .ie()?;
        let mut pct: HashMap<i32, u32> = HashMap::new();
        let mut out: HashMap<i32, Vec<LedgerOutcome>> = HashMap::new();
        for o in rows {
            if let std::collections::hash_map::Entry::Vacant(e) = pct.entry(o.policy_version) {
                e.insert(
                    self.eval_policy_at(db, o.policy_version)
                        .await?
                        .outcomes
                        .best_uplift_pct,
                );
            }
            let quarter = Quarter::parse_key(&o.quarter).stored("outcomes", o.id, "quarter")?;
            out.entry(o.cadre_id).or_default().push(LedgerOutcome {
                outcome: OutcomeId(o.id),
                result: ResultId(o.result_id),
                quarter,
                kind: OutcomeKind::from_code(&o.kind).stored("outcomes", o.id, "kind")?,
                pending: o.status == OutcomeStatus::Pending.code(),
                uplift_pct: pct.get(&o.policy_version).copied().unwrap_or(20),
            });
        }
        Ok(out)
    }

    pub(super) async fn closures<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<BTreeMap<LedgerPeriod, (ledger_closure::Model, FrozenPeriod)>, AppError> {
        ledger_closure::Entity::find()
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|c| {
                let p =
                    LedgerPeriod::parse_key(&c.period).stored("ledger_closures", c.id, "period")?;
                let f: FrozenPeriod =
                    serde_json::from_str(&c.lines).stored("ledger_closures", c.id, "lines")?;
                Ok((p, (c, f)))
            })
            .collect()
    }

    /// Everything a ledger line is computed from, read once.
    pub(super) async fn ledger_inputs<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<LedgerInputs, AppError> {
        let facts = LedgerFacts {
            bases: self
                .bases(db)
                .await?
                .into_iter()
                .map(|((c, p), m)| ((CadreId(c), p), m))
                .collect(),
            outcomes: self
                .ledger_outcomes(db)
                .await?
                .into_iter()
                .map(|(c, o)| (CadreId(c), o))
                .collect(),
        };
        Ok(LedgerInputs {
            facts,
            info: self.cadre_info(db).await?,
        })
    }

    pub(super) async fn cadre_info<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<HashMap<i32, (String, String, String)>, AppError> {
        let depts = self.department_names(db).await?;
        Ok(cadre::Entity::find()
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|c| {
                (
                    c.id,
                    (
                        c.username,
                        c.name,
                        depts.get(&c.department_id).cloned().unwrap_or_default(),
                    ),
                )
            })
            .collect())
    }

    /// The rows and carried corrections of a period: frozen if closed, live if open.
    pub(super) async fn period_lines<C: ConnectionTrait>(
        &self,
        db: &C,
        period: LedgerPeriod,
    ) -> Result<(FrozenPeriod, Option<ledger_closure::Model>), AppError> {
        let closures = self.closures(db).await?;
        if let Some((c, f)) = closures.get(&period) {
            return Ok((f.clone(), Some(c.clone())));
        }
        let inputs = self.ledger_inputs(db).await?;
        let rows = inputs.rows(period);
        let (corrections, settled) = inputs.corrections(period, &closures);
        Ok((
            FrozenPeriod {
                rows,
                corrections,
                settled,
            },
            None,
        ))
    }

    /// Stores each imported base that differs from the cadre's latest one for that period
    /// (a new row: bases keep their history); counts the saved and the unchanged.
    async fn store_bases(
        tx: &DatabaseTransaction,
        me: &Me,
        rows: &[BaseRow],
        bases: &HashMap<(i32, String), Money>,
        now: DateTime<Utc>,
    ) -> Result<BaseReport, AppError> {
        let mut report = BaseReport {
            saved: 0,
            unchanged: 0,
        };
        for (cid, period, amount) in rows {
            if bases.get(&(*cid, period.clone())) == Some(amount) {
                report.unchanged += 1;
                continue;
            }
            insert_base(tx, me, *cid, period, *amount, "import", now).await?;
            report.saved += 1;
        }
        Ok(report)
    }

    pub(super) fn default_period(&self) -> LedgerPeriod {
        LedgerPeriod::quarter(Month::containing(self.today()).quarter().prev())
    }

    pub(super) fn period_ended(&self, p: LedgerPeriod) -> bool {
        let today = self.today();
        if p.is_year_end() {
            today.year() > p.year
        } else {
            let q = Quarter {
                year: p.year,
                quarter: p.slot,
            };
            today > q.last_month().last_day()
        }
    }
}

/// Stores a cadre's base for a period as a new row (bases keep their history), saying
/// whether it was `entered` by hand or came from an `import`.
async fn insert_base(
    tx: &DatabaseTransaction,
    me: &Me,
    cadre_id: i32,
    period: &str,
    amount: Money,
    source: &str,
    now: DateTime<Utc>,
) -> Result<bonus_base::Model, AppError> {
    bonus_base::ActiveModel {
        cadre_id: Set(cadre_id),
        period: Set(period.to_string()),
        amount_fen: Set(amount.fen()),
        source: Set(source.to_string()),
        entered_by: Set(me.id.0),
        entered_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await
    .ie()
}

#[async_trait::async_trait]
impl app::ports::Ledger for Service {
    async fn ledger(&self, me: &Me, period: Option<LedgerPeriod>) -> Result<LedgerView, AppError> {
        if !(me.has(Role::Office) || me.has(Role::Principal)) {
            return Err(AppError::Forbidden {});
        }
        let period = period.unwrap_or_else(|| self.default_period());
        let (frozen, closure) = self.period_lines(&self.db, period).await?;
        let bases = self.bases(&self.db).await?;
        let key = period.key();
        let active_rows = cadre::Entity::find()
            .filter(cadre::Column::Active.eq(true))
            .all(&self.db)
            .await
            .ie()?;
        let active: Vec<i32> = active_rows.iter().map(|c| c.id).collect();
        let mut people: Vec<LedgerPerson> = if me.has(Role::Office) {
            active_rows
                .iter()
                .map(|c| LedgerPerson {
                    id: CadreId(c.id),
                    name: c.name.clone(),
                    username: c.username.clone(),
                })
                .collect()
        } else {
            Vec::new()
        };
        people.sort_by(|a, b| a.username.cmp(&b.username));
        let missing = active
            .iter()
            .filter(|c| !bases.contains_key(&(**c, key.clone())))
            .count() as u32;
        let this_year = self.today().year();
        let mut periods = Vec::new();
        for y in [this_year - 1, this_year] {
            periods.extend(LedgerPeriod::of_year(y).map(LedgerPeriod::key));
        }
        Ok(LedgerView {
            period: key,
            periods,
            closed: closure.is_some(),
            closed_at: closure.map(|c| c.closed_at),
            total_base: frozen.rows.iter().filter_map(|r| r.base).sum(),
            total_due: frozen
                .rows
                .iter()
                .chain(frozen.corrections.iter())
                .map(|r| r.due)
                .sum(),
            rows: frozen.rows,
            corrections: frozen.corrections,
            missing_bases: missing,
            people,
        })
    }

    async fn set_base(
        &self,
        me: &Me,
        cadre_id: CadreId,
        period: LedgerPeriod,
        amount: Money,
    ) -> Result<BaseReport, AppError> {
        Self::require(me, Role::Office)?;
        let now = self.now();
        self.write(async |tx| {
            cadre::Entity::find_by_id(cadre_id.0)
                .one(tx)
                .await
                .ie()?
                .ok_or_else(|| AppError::invalid("cadre", "unknown_cadre"))?;
            let closures = self.closures(tx).await?;
            if closures.contains_key(&period) {
                return Err(AppError::conflict("period_closed"));
            }
            let bases = self.bases(tx).await?;
            if bases.get(&(cadre_id.0, period.key())) == Some(&amount) {
                return Ok(Change::unchanged(BaseReport {
                    saved: 0,
                    unchanged: 1,
                }));
            }
            let row =
                insert_base(tx, me, cadre_id.0, &period.key(), amount, "entered", now).await?;
            self.audit_as(
                tx,
                Some(me.id.0),
                "bonus.base_set",
                "bonus_base",
                row.id,
                Some(audit::digest_of(&(
                    row.cadre_id,
                    &row.period,
                    row.amount_fen,
                ))),
            )
            .await?;
            Ok(Change::recorded(BaseReport {
                saved: 1,
                unchanged: 0,
            }))
        })
        .await
    }

    async fn import_bases(&self, me: &Me, csv_text: String) -> Result<BaseReport, AppError> {
        Self::require(me, Role::Office)?;
        let lines = crate::import::read_table(&csv_text, BASE_COLUMNS, MAX_BASE_ROWS)?;
        let now = self.now();
        self.write(async |tx| {
            let users: HashMap<String, i32> = cadre::Entity::find()
                .all(tx)
                .await
                .ie()?
                .into_iter()
                .map(|c| (c.username, c.id))
                .collect();
            let closures = self.closures(tx).await?;
            let bases = self.bases(tx).await?;
            let rows = read_base_rows(&lines, &users, &closures)?;
            let report = Self::store_bases(tx, me, &rows, &bases, now).await?;
            let digest: Vec<(i32, &str, i64)> = rows
                .iter()
                .map(|(c, p, a)| (*c, p.as_str(), a.fen()))
                .collect();
            self.audit_as(
                tx,
                Some(me.id.0),
                "bonus.imported",
                "bonus_base",
                report.saved,
                Some(audit::digest_of(&digest)),
            )
            .await?;
            Ok(Change::recorded(report))
        })
        .await
    }

    async fn close_period(&self, me: &Me, p: LedgerPeriod) -> Result<LedgerView, AppError> {
        Self::require(me, Role::Office)?;
        if !self.period_ended(p) {
            return Err(AppError::conflict("period_not_over"));
        }
        let now = self.now();
        {
            self.write(async |tx| {
                let (frozen, closure) = self.period_lines(tx, p).await?;
                if closure.is_some() {
                    return Err(AppError::conflict("period_closed"));
                }
                let lines = serde_json::to_string(&frozen).map_err(|_| AppError::Internal {})?;
                let row = ledger_closure::ActiveModel {
                    period: Set(p.key()),
                    closed_by: Set(me.id.0),
                    closed_at: Set(now),
                    lines: Set(lines),
                    ..Default::default()
                }
                .insert(tx)
                .await
                .map_err(|_| AppError::conflict("period_closed"))?;
                self.audit_as(
                    tx,
                    Some(me.id.0),
                    "ledger.closed",
                    "ledger",
                    p.key(),
                    Some(audit::digest_of(&row.lines)),
                )
                .await?;
                Ok(Change::recorded(()))
            })
            .await?;
        }
        self.ledger(me, Some(p)).await
    }

    async fn export_ledger(
        &self,
        me: &Me,
        p: LedgerPeriod,
        format: ExportFormat,
    ) -> Result<Download, AppError> {
        Self::require(me, Role::Office)?;
        let view = self.ledger(me, Some(p)).await?;
        let mut rows = view.rows;
        rows.extend(view.corrections);
        let (bytes, content_type, ext) = match format {
            ExportFormat::Xlsx => (
                ledger_xlsx(&p.key(), &rows)?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
            ExportFormat::Csv => (ledger_csv(&rows)?, "text/csv; charset=utf-8", "csv"),
        };
        // Finance-relevant: every export leaves an audit row with the file's digest.
        {
            self.write(async |tx| {
                let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
                self.audit_as(
                    tx,
                    Some(me.id.0),
                    "ledger.exported",
                    "ledger",
                    p.key(),
                    Some(digest),
                )
                .await?;
                Ok(Change::recorded(()))
            })
            .await?;
        }
        Ok(Download {
            filename: format!("ledger-{}.{ext}", p.key()),
            content_type,
            bytes,
        })
    }
}
