//! Notices (通报): drafts from outcomes, numbered publication, corrections, the download.

use super::*;

/// A line of a notice as stored in `notices.lines` (JSON): the names as they were when the
/// notice was drafted. Published notices never change, so this shape stays.
#[derive(Serialize, Deserialize)]
struct StoredLine {
    cadre: i32,
    name: String,
    department: String,
    reason: String,
}

impl StoredLine {
    fn into_view(self) -> NoticeLine {
        NoticeLine {
            cadre: PersonRef::new(CadreId(self.cadre), self.name),
            department: self.department,
            reason: self.reason,
        }
    }
}

fn stored_lines(n: &notice::Model) -> Result<Vec<StoredLine>, AppError> {
    serde_json::from_str(&n.lines).stored("notices", n.id, "lines")
}

fn notice_ref(n: notice::Model) -> NoticeRef {
    NoticeRef {
        id: NoticeId(n.id),
        number: n.number.unwrap_or_default(),
    }
}

/// The standalone HTML of a notice, for download and printing (A4). Every text in it is
/// escaped; its own policy allows no script at all, wherever the file is opened.
pub fn notice_html(n: &NoticeView) -> String {
    let esc = crate::cells::html_escape;
    let mut lines = String::new();
    for (i, l) in n.lines.iter().enumerate() {
        lines.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            esc(&l.cadre.name),
            esc(&l.department),
            esc(&l.reason)
        ));
    }
    let corrects = n
        .corrects
        .as_ref()
        .map(|c| format!("<p class=\"corrects\">本通报更正{}。</p>", esc(&c.number)))
        .unwrap_or_default();
    let anchor = n
        .audit_anchor
        .as_ref()
        .map(|a| format!("<p class=\"anchor\">审计链锚点 {}</p>", esc(a)))
        .unwrap_or_default();
    format!(
        r#"<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>{title}</title>
<style>@page{{size:A4;margin:30mm 26mm 28mm 28mm}}body{{font-family:"FangSong","STFangsong","Noto Serif CJK SC",serif;font-size:16pt;line-height:1.8;max-width:170mm;margin:0 auto;color:#000}}
h1{{font-family:"SimHei","Noto Sans CJK SC",sans-serif;text-align:center;font-size:22pt;font-weight:normal;margin:0 0 .5em}}.number{{text-align:center;margin:0 0 1.5em}}
table{{width:100%;border-collapse:collapse;font-size:13pt}}td,th{{border:1px solid #000;padding:4px 6px;text-align:left}}.issuer{{text-align:right;margin-top:3em}}.date{{text-align:right}}p{{text-indent:2em;margin:.4em 0}}.issuer,.date,.number,.anchor{{text-indent:0}}.anchor{{margin-top:3em;font:8pt monospace;word-break:break-all;color:#444}}</style></head>
<body><h1>{title}</h1><p class="number">{number}</p>{corrects}<p>{preamble}</p>
<table><thead><tr><th>序号</th><th>姓名</th><th>单位</th><th>事由</th></tr></thead><tbody>{lines}</tbody></table>
<p class="issuer">{issuer}</p><p class="date">{date}</p>{anchor}</body></html>"#,
        title = esc(&n.title),
        number = esc(n.number.as_deref().unwrap_or("（草稿 / draft）")),
        corrects = corrects,
        preamble = esc(&n.preamble),
        lines = lines,
        issuer = esc(&n.issuer),
        date = n
            .issued_on
            .map(|d| format!("{}年{}月{}日", d.year(), d.month(), d.day()))
            .unwrap_or_default(),
        anchor = anchor,
    )
}

/// The audit anchors printed on published notices, for `audit verify`.
pub async fn published_anchors<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<(String, audit::Anchor)>, sea_orm::DbErr> {
    Ok(notice::Entity::find()
        .filter(notice::Column::AuditAnchor.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|n| {
            let a = audit::Anchor::from_code(n.audit_anchor.as_deref()?)?;
            Some((format!("notice {}", n.number.unwrap_or_default()), a))
        })
        .collect())
}

impl Service {
    pub(super) async fn notice_view<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        n: &notice::Model,
    ) -> Result<NoticeView, AppError> {
        let corrects = match n.corrects_id {
            Some(id) => notice::Entity::find_by_id(id)
                .one(db)
                .await
                .ie()?
                .map(notice_ref),
            None => None,
        };
        let corrected_by = notice::Entity::find()
            .filter(notice::Column::CorrectsId.eq(n.id))
            .filter(notice::Column::Status.eq(PUBLISHED))
            .one(db)
            .await
            .ie()?
            .map(notice_ref);
        let published = n.status == PUBLISHED;
        Ok(NoticeView {
            id: NoticeId(n.id),
            kind: NoticeKind::from_code(&n.kind).stored("notices", n.id, "kind")?,
            result: ResultId(n.result_id),
            quarter: n.quarter.clone(),
            number: n.number.clone(),
            title: n.title.clone(),
            preamble: n.preamble.clone(),
            issuer: n.issuer.clone(),
            lines: stored_lines(n)?
                .into_iter()
                .map(StoredLine::into_view)
                .collect(),
            published,
            issued_on: n
                .published_at
                .map(|t| t.with_timezone(&self.policy.tz()).date_naive()),
            corrects,
            may_edit: Self::may_draft_notices(me) && (!published || corrected_by.is_none()),
            stale: self.notice_stale(db, n, corrected_by.is_some()).await?,
            corrected_by,
            audit_anchor: n.audit_anchor.clone(),
        })
    }

    pub(super) async fn visible_notice<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        id: NoticeId,
    ) -> Result<notice::Model, AppError> {
        let n = notice::Entity::find_by_id(id.0)
            .one(db)
            .await
            .ie()?
            .ok_or(AppError::NotFound {})?;
        if n.status == PUBLISHED || Self::may_draft_notices(me) {
            Ok(n)
        } else {
            Err(AppError::NotFound {})
        }
    }

    /// Whether a published, uncorrected notice no longer names the people its result's
    /// outcomes name now (an appeal changed them after publication): it needs a correction.
    pub(super) async fn notice_stale<C: ConnectionTrait>(
        &self,
        db: &C,
        n: &notice::Model,
        corrected: bool,
    ) -> Result<bool, AppError> {
        if n.status != PUBLISHED || corrected {
            return Ok(false);
        }
        let Some(kind) = NoticeKind::from_code(&n.kind) else {
            return Ok(false);
        };
        let now: BTreeSet<i32> = outcome::Entity::find()
            .filter(outcome::Column::ResultId.eq(n.result_id))
            .filter(outcome::Column::Kind.eq(kind.outcome().code()))
            .filter(outcome::Column::Status.ne(OutcomeStatus::Withdrawn.code()))
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|o| o.cadre_id)
            .collect();
        let then: BTreeSet<i32> = stored_lines(n)?.iter().map(|l| l.cadre).collect();
        Ok(now != then)
    }

    pub(super) async fn notice_summaries<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
    ) -> Result<Vec<NoticeSummary>, AppError> {
        let all = notice::Entity::find()
            .order_by_desc(notice::Column::Id)
            .all(db)
            .await
            .ie()?;
        let corrected: HashMap<i32, i32> = all
            .iter()
            .filter(|n| n.status == PUBLISHED)
            .filter_map(|n| n.corrects_id.map(|c| (c, n.id)))
            .collect();
        let mut out = Vec::new();
        for n in all
            .iter()
            .filter(|n| n.status == PUBLISHED || Self::may_draft_notices(me))
        {
            let corrected_by = corrected.get(&n.id).map(|i| NoticeId(*i));
            out.push(NoticeSummary {
                id: NoticeId(n.id),
                kind: NoticeKind::from_code(&n.kind).stored("notices", n.id, "kind")?,
                quarter: n.quarter.clone(),
                number: n.number.clone(),
                title: n.title.clone(),
                published: n.status == PUBLISHED,
                published_at: n.published_at,
                corrects: n.corrects_id.map(NoticeId),
                stale: self.notice_stale(db, n, corrected_by.is_some()).await?,
                corrected_by,
            });
        }
        Ok(out)
    }
}

impl Service {
    /// The published quarterly result to draft a notice of, and the published notice of
    /// the same kind the draft corrects (if any). Refuses a second draft, a second notice
    /// without a correction, and a correction of a notice already corrected.
    async fn load_draftable(
        tx: &DatabaseTransaction,
        result: ResultId,
        kind: NoticeKind,
        corrects: Option<NoticeId>,
        now: DateTime<Utc>,
    ) -> Result<(eval_result::Model, Option<notice::Model>), AppError> {
        let r = eval_result::Entity::find_by_id(result.0)
            .one(tx)
            .await
            .ie()?
            .filter(|r| r.kind == QUARTERLY && r.published_at.is_some_and(|p| p <= now))
            .ok_or(AppError::NotFound {})?;
        let same = notice::Entity::find()
            .filter(notice::Column::ResultId.eq(r.id))
            .filter(notice::Column::Kind.eq(kind.code()))
            .all(tx)
            .await
            .ie()?;
        if same.iter().any(|n| n.status == DRAFT) {
            return Err(AppError::conflict("notice_draft_exists"));
        }
        let old = match corrects {
            None => {
                if same.iter().any(|n| n.status == PUBLISHED) {
                    return Err(AppError::conflict("notice_exists"));
                }
                None
            }
            Some(id) => {
                let old = same
                    .iter()
                    .find(|n| n.id == id.0 && n.status == PUBLISHED)
                    .cloned()
                    .ok_or_else(|| AppError::invalid("corrects", "not_a_notice"))?;
                if same
                    .iter()
                    .any(|n| n.corrects_id == Some(old.id) && n.status == PUBLISHED)
                {
                    return Err(AppError::conflict("notice_corrected"));
                }
                Some(old)
            }
        };
        Ok((r, old))
    }

    /// The lines of a notice: the result's outcomes of the notice's kind (not withdrawn),
    /// once none is pending; none at all only for a correction.
    async fn notice_lines(
        &self,
        tx: &DatabaseTransaction,
        result_id: i32,
        kind: NoticeKind,
        correcting: bool,
    ) -> Result<Vec<StoredLine>, AppError> {
        let rows = outcome::Entity::find()
            .filter(outcome::Column::ResultId.eq(result_id))
            .filter(outcome::Column::Kind.eq(kind.outcome().code()))
            .filter(outcome::Column::Status.ne(OutcomeStatus::Withdrawn.code()))
            .order_by_asc(outcome::Column::Id)
            .all(tx)
            .await
            .ie()?;
        if rows
            .iter()
            .any(|o| o.status == OutcomeStatus::Pending.code())
        {
            return Err(AppError::conflict("outcomes_pending"));
        }
        if rows.is_empty() && !correcting {
            return Err(AppError::conflict("notice_empty"));
        }
        let people = self.people(tx).await?;
        let views = self.outcome_views(tx, &rows, &people).await?;
        Ok(views
            .into_iter()
            .map(|v| StoredLine {
                cadre: v.cadre.id.0,
                name: v.cadre.name,
                department: v.department,
                reason: v.reason,
            })
            .collect())
    }
}

#[async_trait::async_trait]
impl app::ports::Notices for Service {
    async fn notice(&self, me: &Me, id: NoticeId) -> Result<NoticeView, AppError> {
        let n = self.visible_notice(&self.db, me, id).await?;
        self.notice_view(&self.db, me, &n).await
    }

    async fn notices(&self, me: &Me) -> Result<Vec<NoticeSummary>, AppError> {
        self.notice_summaries(&self.db, me).await
    }

    async fn draft_notice(
        &self,
        me: &Me,
        result: ResultId,
        kind: NoticeKind,
        corrects: Option<NoticeId>,
    ) -> Result<NoticeView, AppError> {
        if !Self::may_draft_notices(me) {
            return Err(AppError::Forbidden {});
        }
        let now = self.now();
        self.write(async |tx| {
            let (r, old) = Self::load_draftable(tx, result, kind, corrects, now).await?;
            let q = quarter_of(&r);
            let lines = self.notice_lines(tx, r.id, kind, old.is_some()).await?;
            let (_, policy) = self.eval_policy_at_or_current(tx, r.policy_version).await?;
            let (title, preamble) = notice_wording(old.as_ref(), kind, q, &policy);
            let n = notice::ActiveModel {
                kind: Set(kind.code().into()),
                result_id: Set(r.id),
                quarter: Set(q.key()),
                year: Set(q.year),
                seq: Set(None),
                number: Set(None),
                title: Set(title),
                preamble: Set(preamble),
                issuer: Set("镇党委　镇人民政府".into()),
                lines: Set(serde_json::to_string(&lines).map_err(|_| AppError::Internal {})?),
                status: Set(DRAFT.into()),
                corrects_id: Set(old.map(|o| o.id)),
                created_by: Set(me.id.0),
                created_at: Set(now),
                published_by: Set(None),
                published_at: Set(None),
                ..Default::default()
            }
            .insert(tx)
            .await
            .ie()?;
            self.audit_as(
                tx,
                Some(me.id.0),
                "notice.drafted",
                "notice",
                n.id,
                Some(audit::digest_of(&n.lines)),
            )
            .await?;
            let view = self.notice_view(tx, me, &n).await?;
            Ok(Change::recorded(view))
        })
        .await
    }

    async fn update_notice(
        &self,
        me: &Me,
        id: NoticeId,
        title: String,
        preamble: String,
        issuer: String,
    ) -> Result<NoticeView, AppError> {
        if !Self::may_draft_notices(me) {
            return Err(AppError::Forbidden {});
        }
        let title = clean_text("title", &title, 200)?
            .ok_or_else(|| AppError::invalid("title", "required"))?;
        let preamble = clean_text("preamble", &preamble, MAX_NOTE_CHARS)?
            .ok_or_else(|| AppError::invalid("preamble", "required"))?;
        let issuer = clean_text("issuer", &issuer, 100)?
            .ok_or_else(|| AppError::invalid("issuer", "required"))?;
        self.write(async |tx| {
            let n = self.visible_notice(tx, me, id).await?;
            if n.status != DRAFT {
                return Err(AppError::conflict("notice_published"));
            }
            let mut am: notice::ActiveModel = n.into();
            am.title = Set(title);
            am.preamble = Set(preamble);
            am.issuer = Set(issuer);
            let n = am.update(tx).await.ie()?;
            self.audit_as(
                tx,
                Some(me.id.0),
                "notice.edited",
                "notice",
                n.id,
                Some(audit::digest_of(&(&n.title, &n.preamble, &n.issuer))),
            )
            .await?;
            let view = self.notice_view(tx, me, &n).await?;
            Ok(Change::recorded(view))
        })
        .await
    }

    async fn publish_notice(&self, me: &Me, id: NoticeId) -> Result<NoticeView, AppError> {
        if !Self::may_draft_notices(me) {
            return Err(AppError::Forbidden {});
        }
        let now = self.now();
        let year = self.today().year();
        self.write(async |tx| {
            let n = self.visible_notice(tx, me, id).await?;
            if n.status != DRAFT {
                return Err(AppError::conflict("notice_published"));
            }
            let seq = notice::Entity::find()
                .filter(notice::Column::Year.eq(year))
                .filter(notice::Column::Seq.is_not_null())
                .all(tx)
                .await
                .ie()?
                .iter()
                .filter_map(|n| n.seq)
                .max()
                .unwrap_or(0)
                + 1;
            // The chain's head goes into the notice's footer: printed and filed, it is an
            // anchor outside the database (`audit verify --anchor id:hash`).
            let anchor = audit::head(tx, now).await.ie()?.map(|a| a.code());
            let mut am: notice::ActiveModel = n.into();
            am.audit_anchor = Set(anchor);
            am.status = Set(PUBLISHED.into());
            am.year = Set(year);
            am.seq = Set(Some(seq));
            am.number = Set(Some(notice_number(year, seq)));
            am.published_by = Set(Some(me.id.0));
            am.published_at = Set(Some(now));
            let n = am
                .update(tx)
                .await
                .map_err(|_| AppError::conflict("notice_published"))?;
            self.audit_as(
                tx,
                Some(me.id.0),
                "notice.published",
                "notice",
                n.id,
                Some(audit::digest_of(&(
                    &n.number,
                    &n.title,
                    &n.preamble,
                    &n.lines,
                ))),
            )
            .await?;
            let view = self.notice_view(tx, me, &n).await?;
            Ok(Change::recorded(view))
        })
        .await
    }

    async fn notice_download(&self, me: &Me, id: NoticeId) -> Result<Download, AppError> {
        let view = self.notice(me, id).await?;
        let name = view
            .number
            .clone()
            .map(|_| format!("notice-{}-{}.html", view.quarter, view.id))
            .unwrap_or_else(|| format!("notice-draft-{}.html", view.id));
        Ok(Download {
            filename: name,
            content_type: "text/html; charset=utf-8",
            bytes: notice_html(&view).into_bytes(),
        })
    }
}

/// A draft notice's title and preamble: a correction names the notice it corrects; a
/// commendation states the uplift and a criticism the streak, as the policy of the result.
fn notice_wording(
    old: Option<&notice::Model>,
    kind: NoticeKind,
    q: Quarter,
    policy: &EvalPolicy,
) -> (String, String) {
    let qname = format!("{}年第{}季度", q.year, q.quarter);
    match (old, kind) {
        (Some(o), _) => (
            format!("关于更正{}的通报", o.number.clone().unwrap_or_default()),
            format!(
                "{}因复评结果调整，现予更正，以本通报为准。{}名单如下：",
                o.number.clone().unwrap_or_default(),
                qname
            ),
        ),
        (None, NoticeKind::Commendation) => (
            format!("关于对{qname}工作表现最好同志予以通报表扬的通报"),
            format!(
                "根据“一记三评三奖惩”工作机制，经镇党委、镇政府{qname}评议，以下同志工作表现突出，现予通报表扬，并按规定上浮当季度奖金和年终奖金{}%。希望受表扬的同志再接再厉，全体干部以先进为榜样，学比赶超。",
                policy.outcomes.best_uplift_pct
            ),
        ),
        (None, NoticeKind::Criticism) => (
            format!("关于对{qname}连续被评为最差同志予以通报批评的通报"),
            format!(
                "根据“一记三评三奖惩”工作机制，以下同志连续{}次被评为最差，现予通报批评，当年季度奖金和年终奖金停发，只发基本工资。望其深刻反思，限期整改。",
                policy.outcomes.worst_streak
            ),
        ),
    }
}
