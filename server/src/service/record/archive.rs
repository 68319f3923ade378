//! The archive search's queries: the cadres and sheets a query names, text hits with their
//! snippets, and which submitted versions held the text.

use super::*;

impl Service {
    /// The cadres the archive query names (by name or user name, and department).
    pub(super) async fn archive_cadres(
        &self,
        q: &ArchiveQuery,
    ) -> Result<HashMap<i32, cadre::Model>, AppError> {
        let mut cadre_q = cadre::Entity::find();
        if let Some(p) = q.person.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            if p.chars().count() > 40 {
                return Err(AppError::invalid("person", "too_long"));
            }
            cadre_q = cadre_q.filter(
                Condition::any()
                    .add(cadre::Column::Name.contains(p))
                    .add(cadre::Column::Username.eq(p)),
            );
        }
        if let Some(d) = q.department_id {
            cadre_q = cadre_q.filter(cadre::Column::DepartmentId.eq(d.0));
        }
        Ok(cadre_q
            .all(&self.db)
            .await
            .ie()?
            .into_iter()
            .map(|c| (c.id, c))
            .collect())
    }

    /// The submitted sheets of `cadres` in the query's periods and, with a text, only those
    /// with an entry containing it (with its snippet by sheet id); newest period first,
    /// then by name.
    pub(super) async fn archive_sheets(
        &self,
        q: &ArchiveQuery,
        cadres: &HashMap<i32, cadre::Model>,
    ) -> Result<(Vec<(sheet::Model, SheetPeriod)>, HashMap<i32, TextHit>), AppError> {
        let mut sheet_q = sheet::Entity::find()
            .filter(sheet::Column::SubmittedAt.is_not_null())
            .filter(sheet::Column::CadreId.is_in(cadres.keys().copied().collect::<Vec<_>>()));
        let from = q.from.map(|d| period_key(SheetPeriod::containing(d)));
        let to = q.to.map(|d| period_key(SheetPeriod::containing(d)));
        if let Some((y, _, _)) = from {
            sheet_q = sheet_q.filter(sheet::Column::Year.gte(y));
        }
        if let Some((y, _, _)) = to {
            sheet_q = sheet_q.filter(sheet::Column::Year.lte(y));
        }
        let mut snippets: HashMap<i32, TextHit> = HashMap::new();
        if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            snippets = self.archive_snippets(text).await?;
            sheet_q = sheet_q
                .filter(sheet::Column::Id.is_in(snippets.keys().copied().collect::<Vec<_>>()));
        }
        let mut sheets: Vec<(sheet::Model, SheetPeriod)> = Vec::new();
        for s in sheet_q.all(&self.db).await.ie()? {
            let period = period_of(&s)?;
            let k = period_key(period);
            if from.is_none_or(|f| k >= f) && to.is_none_or(|t| k <= t) {
                sheets.push((s, period));
            }
        }
        sheets.sort_by(|(a, pa), (b, pb)| {
            period_key(*pb).cmp(&period_key(*pa)).then_with(|| {
                let na = cadres.get(&a.cadre_id).map(|c| c.name.as_str());
                let nb = cadres.get(&b.cadre_id).map(|c| c.name.as_str());
                na.cmp(&nb)
            })
        });
        Ok((sheets, snippets))
    }

    /// For each sheet with a line containing `text` — in its current entries or in any
    /// submitted version — that line (from the newest version that has it, else the current
    /// entries) and the numbers of the versions that contain it.
    async fn archive_snippets(&self, text: &str) -> Result<HashMap<i32, TextHit>, AppError> {
        if text.chars().count() > 50 {
            return Err(AppError::invalid("text", "too_long"));
        }
        let line_of = |work: &str, outcome: &str| -> Option<String> {
            if work.contains(text) {
                Some(work.to_string())
            } else if outcome.contains(text) {
                Some(outcome.to_string())
            } else {
                None
            }
        };
        let hits = day_entry::Entity::find()
            .filter(
                Condition::any()
                    .add(day_entry::Column::Work.contains(text))
                    .add(day_entry::Column::Outcome.contains(text)),
            )
            .all(&self.db)
            .await
            .ie()?;
        let mut out: HashMap<i32, TextHit> = HashMap::new();
        for h in hits {
            if let Some(line) = line_of(&h.work, &h.outcome) {
                out.entry(h.sheet_id).or_insert_with(|| TextHit {
                    snippet: line,
                    versions: Vec::new(),
                });
            }
        }
        // Submitted versions: the stored snapshots are JSON; a coarse filter in the database
        // (the text as JSON would write it), then each decoded line is checked.
        let needle = serde_json::to_string(text).map_err(|_| AppError::Internal {})?;
        let needle = needle.trim_matches('"');
        let events = sheet_event::Entity::find()
            .filter(sheet_event::Column::Kind.eq("submitted"))
            .filter(sheet_event::Column::Snapshot.contains(needle))
            .order_by_asc(sheet_event::Column::Id)
            .all(&self.db)
            .await
            .ie()?;
        let numbers = self.version_numbers(&events).await?;
        for ev in events {
            let Some(json) = ev.snapshot.as_deref() else {
                continue;
            };
            let rows: Vec<SnapshotEntry> =
                serde_json::from_str(json).stored("sheet_events", ev.id, "snapshot")?;
            let Some(line) = rows.iter().find_map(|r| line_of(&r.work, &r.outcome)) else {
                continue;
            };
            let number = numbers.get(&ev.id).copied().ok_or(AppError::Internal {})?;
            let hit = out.entry(ev.sheet_id).or_insert_with(|| TextHit {
                snippet: line.clone(),
                versions: Vec::new(),
            });
            // Events come oldest first: the newest matching version gives the snippet.
            hit.snippet = line;
            hit.versions.push(number);
        }
        Ok(out)
    }

    /// The version number (1-based, in submission order) of each `submitted` event among
    /// `events`, counted over all submissions of its sheet.
    async fn version_numbers(
        &self,
        events: &[sheet_event::Model],
    ) -> Result<HashMap<i32, u32>, AppError> {
        let sheets: Vec<i32> = events.iter().map(|e| e.sheet_id).collect();
        let mut out = HashMap::new();
        for chunk in sheets.chunks(500) {
            let all = sheet_event::Entity::find()
                .filter(sheet_event::Column::Kind.eq("submitted"))
                .filter(sheet_event::Column::SheetId.is_in(chunk.iter().copied()))
                .order_by_asc(sheet_event::Column::Id)
                .all(&self.db)
                .await
                .ie()?;
            let mut count: HashMap<i32, u32> = HashMap::new();
            for e in all {
                let n = count.entry(e.sheet_id).or_insert(0);
                *n += 1;
                out.insert(e.id, *n);
            }
        }
        Ok(out)
    }

    /// The archive hits of one page of sheets: each sheet's summary and its snippet.
    pub(super) async fn archive_hits(
        &self,
        page: &[(sheet::Model, SheetPeriod)],
        cadres: &HashMap<i32, cadre::Model>,
        snippets: &HashMap<i32, TextHit>,
    ) -> Result<Vec<ArchiveHit>, AppError> {
        let counts = self
            .entry_counts(
                &self.db,
                &page.iter().map(|(s, _)| s.id).collect::<Vec<_>>(),
            )
            .await?;
        let depts = self.department_names(&self.db).await?;
        let mut hits = Vec::new();
        for (s, period) in page {
            let Some(c) = cadres.get(&s.cadre_id) else {
                continue;
            };
            let dept = depts.get(&c.department_id).map_or("", String::as_str);
            let written = counts.get(&s.id).copied().unwrap_or(0);
            hits.push(ArchiveHit {
                sheet: self.summary(Some(s), c, dept, *period, written)?,
                snippet: snippets.get(&s.id).map(|h| h.snippet.clone()),
                versions: snippets
                    .get(&s.id)
                    .map(|h| h.versions.clone())
                    .unwrap_or_default(),
            });
        }
        Ok(hits)
    }
}
