//! Talk, warning and rectification cases with their append-only notes.

use super::*;

/// The kinds of note the viewer may add to an open case of `kind`: a principal any the
/// case allows, its owner all but the talk and the warning (a principal's to give).
fn notes_allowed(kind: OutcomeKind, open: bool, principal: bool, owner: bool) -> Vec<NoteKind> {
    if !open {
        return Vec::new();
    }
    [
        NoteKind::Talk,
        NoteKind::Warning,
        NoteKind::Plan,
        NoteKind::FollowUp,
        NoteKind::Closure,
    ]
    .into_iter()
    .filter(|k| note_allowed(kind, *k))
    .filter(|k| principal || (owner && !matches!(k, NoteKind::Talk | NoteKind::Warning)))
    .collect()
}

/// Who a case may be handed to: the active principals, in id order.
fn possible_owners(people: &HashMap<i32, Person>) -> Vec<PersonRef> {
    let mut owners: Vec<PersonRef> = people
        .iter()
        .filter(|(_, p)| p.active && p.roles.contains(&Role::Principal))
        .map(|(id, p)| PersonRef::new(CadreId(*id), p.name.clone()))
        .collect();
    owners.sort();
    owners
}

impl Service {
    pub(super) async fn case_view<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        c: &case::Model,
        people: &HashMap<i32, Person>,
        with_notes: bool,
    ) -> Result<CaseView, AppError> {
        let o = outcome::Entity::find_by_id(c.outcome_id)
            .one(db)
            .await
            .ie()?
            .ok_or(AppError::Internal {})?;
        let reasons = self.naming_reasons(db, std::slice::from_ref(&o)).await?;
        let state = CaseState::from_code(&c.state).stored("cases", c.id, "state")?;
        let kind = OutcomeKind::from_code(&c.kind).stored("cases", c.id, "kind")?;
        let on_hold = o.status == OutcomeStatus::Pending.code();
        let notes = if with_notes {
            Self::case_notes(db, c.id, people).await?
        } else {
            Vec::new()
        };
        let open = state == CaseState::Open && !on_hold;
        let principal = me.has(Role::Principal);
        let owner = c.owner_id == me.id.0;
        let may_note = notes_allowed(kind, open, principal, owner);
        let owners = if open && principal {
            possible_owners(people)
        } else {
            Vec::new()
        };
        let p = people.get(&c.cadre_id).cloned().unwrap_or_default();
        Ok(CaseView {
            id: CaseId(c.id),
            outcome: OutcomeId(o.id),
            cadre: PersonRef::new(CadreId(c.cadre_id), p.name),
            department: p.department,
            kind,
            quarter: o.quarter.clone(),
            result: ResultId(o.result_id),
            reason: o
                .naming_id
                .and_then(|n| reasons.get(&n).cloned())
                .unwrap_or_default(),
            owner: people.person_ref(c.owner_id),
            opened_at: c.opened_at,
            due: c.due_on,
            state,
            overdue: !on_hold && case_overdue(state, c.due_on, self.today()),
            on_hold,
            closed_at: c.closed_at,
            notes,
            may_note,
            may_assign: open && principal,
            owners,
            today: self.today(),
        })
    }

    /// The case's notes, oldest first, with their authors' names.
    async fn case_notes<C: ConnectionTrait>(
        db: &C,
        case_id: i32,
        people: &HashMap<i32, Person>,
    ) -> Result<Vec<CaseNoteView>, AppError> {
        case_note::Entity::find()
            .filter(case_note::Column::CaseId.eq(case_id))
            .order_by_asc(case_note::Column::Id)
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|n| {
                Ok(CaseNoteView {
                    kind: NoteKind::from_code(&n.kind).stored("case_notes", n.id, "kind")?,
                    author: n.author_id.map(|a| people.person_ref(a)),
                    body: n.body,
                    response: n.response,
                    held_on: n.held_on,
                    deadline: n.deadline,
                    met: n.met,
                    at: n.created_at,
                })
            })
            .collect()
    }

    /// A case the viewer may see: principals, committee, office, its owner and its cadre.
    pub(super) async fn visible_case<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        id: CaseId,
    ) -> Result<case::Model, AppError> {
        let c = case::Entity::find_by_id(id.0)
            .one(db)
            .await
            .ie()?
            .ok_or(AppError::NotFound {})?;
        if Self::may_see_rewards(me) || c.owner_id == me.id.0 || c.cadre_id == me.id.0 {
            Ok(c)
        } else {
            Err(AppError::NotFound {})
        }
    }
}

impl Service {
    /// Reminders about cases: overdue ones for the principals, open ones for their owner.
    pub(in crate::service) async fn case_reminders(
        &self,
        me: &Me,
    ) -> Result<Vec<Reminder>, AppError> {
        let principal = me.has(Role::Principal);
        let open = case::Entity::find()
            .filter(case::Column::State.eq(CaseState::Open.code()))
            .all(&self.db)
            .await
            .ie()?;
        let held: HashSet<i32> = outcome::Entity::find()
            .filter(outcome::Column::Status.eq(OutcomeStatus::Pending.code()))
            .all(&self.db)
            .await
            .ie()?
            .into_iter()
            .map(|o| o.id)
            .collect();
        let today = self.today();
        let live: Vec<&case::Model> = open
            .iter()
            .filter(|c| !held.contains(&c.outcome_id))
            .collect();
        let mut out = Vec::new();
        let overdue: Vec<&&case::Model> = live
            .iter()
            .filter(|c| case_overdue(CaseState::Open, c.due_on, today))
            .collect();
        if principal && !overdue.is_empty() {
            let due = overdue.iter().map(|c| c.due_on).min().unwrap_or(today);
            out.push(Reminder {
                what: "cases_overdue".into(),
                period: String::new(),
                due: end_of_local_day(due, &self.policy),
                overdue: true,
                count: overdue.len() as u32,
                href: "/rewards#cases".into(),
            });
        }
        let mine: Vec<&&case::Model> = live.iter().filter(|c| c.owner_id == me.id.0).collect();
        if !mine.is_empty() {
            let due = mine.iter().map(|c| c.due_on).min().unwrap_or(today);
            out.push(Reminder {
                what: "cases_mine".into(),
                period: String::new(),
                due: end_of_local_day(due, &self.policy),
                overdue: mine.iter().any(|c| c.due_on < today),
                count: mine.len() as u32,
                href: "/rewards#cases".into(),
            });
        }
        Ok(out)
    }
}

#[async_trait::async_trait]
impl app::ports::Cases for Service {
    async fn case(&self, me: &Me, id: CaseId) -> Result<CaseView, AppError> {
        let c = self.visible_case(&self.db, me, id).await?;
        let people = self.people(&self.db).await?;
        self.case_view(&self.db, me, &c, &people, true).await
    }

    async fn add_case_note(
        &self,
        me: &Me,
        case_id: CaseId,
        kind: NoteKind,
        body: String,
        response: Option<String>,
        held_on: Option<NaiveDate>,
        deadline: Option<NaiveDate>,
        met: Option<bool>,
    ) -> Result<CaseView, AppError> {
        let today = self.today();
        let now = self.now();
        self.write(async |tx| {
            let c = self.visible_case(tx, me, case_id).await?;
            self.check_may_note(tx, me, &c, kind).await?;
            let body = required_text("body", &body)?;
            let response = clean_text(
                "response",
                response.as_deref().unwrap_or(""),
                MAX_NOTE_CHARS,
            )?;
            let mut cm: case::ActiveModel = c.clone().into();
            let written = WrittenNote {
                kind,
                held_on,
                deadline,
                met,
            };
            written.apply(&mut cm, me, today, now)?;
            let c = cm.update(tx).await.ie()?;
            let note = case_note::ActiveModel {
                case_id: Set(c.id),
                author_id: Set(Some(me.id.0)),
                kind: Set(kind.code().into()),
                body: Set(body),
                response: Set(response),
                held_on: Set(held_on.filter(|_| kind == NoteKind::Talk)),
                deadline: Set(deadline.filter(|_| kind == NoteKind::Plan)),
                met: Set(met.filter(|_| kind == NoteKind::Closure)),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(tx)
            .await
            .ie()?;
            self.audit_as(
                tx,
                Some(me.id.0),
                &format!("case.{}", kind.code()),
                "case",
                c.id,
                Some(audit::digest_of(&(note.id, &note.body, &c.state))),
            )
            .await?;
            let people = self.people(tx).await?;
            let view = self.case_view(tx, me, &c, &people, true).await?;
            Ok(Change::recorded(view))
        })
        .await
    }

    async fn assign_case(
        &self,
        me: &Me,
        case_id: CaseId,
        owner: CadreId,
    ) -> Result<CaseView, AppError> {
        Self::require(me, Role::Principal)?;
        let now = self.now();
        self.write(async |tx| {
            let c = self.visible_case(tx, me, case_id).await?;
            if c.state != CaseState::Open.code() {
                return Err(AppError::conflict("case_closed"));
            }
            let people = self.people(tx).await?;
            let ok = people
                .get(&owner.0)
                .is_some_and(|p| p.active && p.roles.contains(&Role::Principal));
            if !ok {
                return Err(AppError::invalid("owner", "not_principal"));
            }
            if c.owner_id == owner.0 {
                return Err(AppError::conflict("unchanged"));
            }
            let mut cm: case::ActiveModel = c.into();
            cm.owner_id = Set(owner.0);
            let c = cm.update(tx).await.ie()?;
            case_note::ActiveModel {
                case_id: Set(c.id),
                author_id: Set(Some(me.id.0)),
                kind: Set(NoteKind::Owner.code().into()),
                body: Set(people
                    .get(&owner.0)
                    .map(|p| p.name.clone())
                    .unwrap_or_default()),
                owner_id: Set(Some(owner.0)),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(tx)
            .await
            .ie()?;
            self.audit_as(
                tx,
                Some(me.id.0),
                "case.assigned",
                "case",
                c.id,
                Some(audit::digest_of(&owner.0)),
            )
            .await?;
            let view = self.case_view(tx, me, &c, &people, true).await?;
            Ok(Change::recorded(view))
        })
        .await
    }
}

/// What a written note says that changes its case: the talk's day, the plan's deadline,
/// the closure's verdict.
struct WrittenNote {
    kind: NoteKind,
    held_on: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
    met: Option<bool>,
}

impl WrittenNote {
    /// What the note does to its case: a talk (held on a day not in the future) or a
    /// warning completes it; a plan sets its deadline (not in the past); a closure ends it
    /// as met or not met. Other notes leave it as it is.
    fn apply(
        &self,
        cm: &mut case::ActiveModel,
        me: &Me,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let mut close = |state: CaseState| {
            cm.state = Set(state.code().into());
            cm.closed_at = Set(Some(now));
            cm.closed_by = Set(Some(me.id.0));
        };
        match self.kind {
            NoteKind::Talk => {
                let day = self
                    .held_on
                    .ok_or_else(|| AppError::invalid("held_on", "required"))?;
                if day > today {
                    return Err(AppError::invalid("held_on", "future_day"));
                }
                close(CaseState::Done);
            }
            NoteKind::Warning => close(CaseState::Done),
            NoteKind::Plan => {
                let day = self
                    .deadline
                    .ok_or_else(|| AppError::invalid("deadline", "required"))?;
                if day < today {
                    return Err(AppError::invalid("deadline", "past_day"));
                }
                cm.due_on = Set(day);
            }
            NoteKind::Closure => {
                let met = self
                    .met
                    .ok_or_else(|| AppError::invalid("met", "required"))?;
                close(if met {
                    CaseState::Met
                } else {
                    CaseState::NotMet
                });
            }
            _ => {}
        }
        Ok(())
    }
}

impl Service {
    /// Whether `me` may add a note of `kind` to the case now: only principals record talks
    /// and warnings (the owner follows the rectification), the kind must fit the case, the
    /// case must be open and its outcome not waiting on an appeal.
    async fn check_may_note(
        &self,
        tx: &DatabaseTransaction,
        me: &Me,
        c: &case::Model,
        kind: NoteKind,
    ) -> Result<(), AppError> {
        let case_kind = OutcomeKind::from_code(&c.kind).stored("cases", c.id, "kind")?;
        let principal = me.has(Role::Principal);
        let owner = c.owner_id == me.id.0;
        let allowed = match kind {
            NoteKind::Talk | NoteKind::Warning => principal,
            _ => principal || owner,
        };
        if !allowed {
            return Err(AppError::Forbidden {});
        }
        if !note_allowed(case_kind, kind) {
            return Err(AppError::invalid("kind", "not_for_case"));
        }
        if c.state != CaseState::Open.code() {
            return Err(AppError::conflict("case_closed"));
        }
        let o = outcome::Entity::find_by_id(c.outcome_id)
            .one(tx)
            .await
            .ie()?
            .ok_or(AppError::Internal {})?;
        if o.status == OutcomeStatus::Pending.code() {
            return Err(AppError::conflict("appeal_pending"));
        }
        Ok(())
    }
}
