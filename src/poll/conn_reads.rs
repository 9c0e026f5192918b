//! The owner thread's reads of the connection table: the open view's
//! reading after each poll, the table-wide half-open counts about every
//! 5 s, and an exact read on request spread over refreshes, each within the
//! budget `conns::Budget` plans. Entries are summarised as they stream by;
//! the table itself is never held.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use crate::app::Event;
use crate::backend::{ConnCursor, ErrorKind, Reader};
use crate::clock::Clock;
use crate::conns::{
    Attribution, Budget, ConnEvent, ConnRequest, CostModel, ExactProgress, HalfOpenCounter, Limits,
    Made, Plan, ReadOf, ReadStamp, Sampling, Scope, Summarizer, PAGE_ENTRIES,
};
use crate::model::{ConnSource, Connection, SyncDaemon, SyncRole};

use super::known_table::KnownTable;

/// How often the half-open counts are refreshed when nothing else reads.
pub const HALF_OPEN_EVERY: Duration = Duration::from_secs(5);

/// The longest an exact read may hold the owner thread in one go, on a
/// backend that cannot keep its walk open between refreshes.
pub const EXACT_ONE_GO_MAX: Duration = Duration::from_secs(1);

/// The file a walk reads, from the sync daemons running: `ip_vs_conn_sync`
/// (each entry's origin) only while a backup runs, as only a backup
/// receives entries from a master; otherwise `ip_vs_conn`, whose shorter
/// lines (66 bytes, not 73) fit 62 to a page instead of 56: fewer `read()`s,
/// each of which walks the kernel's table from its start. Daemons unknown
/// (a backend that cannot say, a failed request): the origins are read, as
/// before lvstop could ask.
pub fn source_for(daemons: Option<&[SyncDaemon]>) -> ConnSource {
    match daemons {
        Some(d) if !d.iter().any(|d| d.role == SyncRole::Backup) => ConnSource::Plain,
        _ => ConnSource::WithOrigin,
    }
}

/// The deadline is looked at once a page: the kernel hands out a page per
/// `read()`, so stopping mid-page saves nothing.
const CHECK_EVERY: u64 = PAGE_ENTRIES as u64;

pub(super) struct ConnReads {
    known: KnownTable,
    scope: Option<Scope>,
    exact_wanted: bool,
    exact: Option<ExactRead>,
    /// Whether the UI wants the half-open counts with the view closed.
    half_open_wanted: bool,
    budget: Budget,
    model: CostModel,
    limits: Limits,
    half_open_due: Duration,
    pending: Vec<ConnEvent>,
}

struct ExactRead {
    cursor: Box<dyn ConnCursor>,
    summary: Summarizer,
    half: HalfOpenCounter,
    progress: ExactProgress,
    malformed: u64,
}

/// What a walk fed: the view's summary when it is open, and always the
/// half-open counts (table-wide, so any walk refreshes them).
struct Feed<'a> {
    attribution: Arc<Attribution>,
    summary: Option<&'a mut Summarizer>,
    half: &'a mut HalfOpenCounter,
}

impl<'a> Feed<'a> {
    fn new(summary: Option<&'a mut Summarizer>, half: &'a mut HalfOpenCounter) -> Feed<'a> {
        Feed {
            attribution: half.attribution().clone(),
            summary,
            half,
        }
    }

    fn take(&mut self, c: Connection) {
        let wanted = self.summary.is_some() || HalfOpenCounter::counts(&c);
        let owner = if wanted {
            self.attribution.owner(&c)
        } else {
            None
        };
        self.half.add_owned(owner.as_ref(), &c);
        if let Some(s) = self.summary.as_deref_mut() {
            s.add_owned(owner.as_ref(), c);
        }
    }
}

/// The file to read now: the daemons are asked before each walk (one
/// netlink request, next to a walk of up to a page per `read()`), so a
/// backup started from the monitor shows origins from the next refresh.
fn source_of(reader: &mut dyn Reader) -> ConnSource {
    let daemons = reader.daemons().ok();
    source_for(daemons.as_deref())
}

impl ConnReads {
    pub(super) fn new(budget: Budget) -> ConnReads {
        ConnReads {
            known: KnownTable::default(),
            scope: None,
            exact_wanted: false,
            exact: None,
            half_open_wanted: false,
            budget,
            model: CostModel::default(),
            limits: Limits::default(),
            half_open_due: Duration::ZERO,
            pending: Vec::new(),
        }
    }

    /// Keeps what a poll said of the services and real servers.
    pub(super) fn note_poll(&mut self, event: &Event) {
        if let Event::Polled(p) = event {
            self.known.note(p);
        }
    }

    pub(super) fn take(&mut self, request: ConnRequest) {
        match request {
            ConnRequest::Open(scope) => {
                if self.scope.as_ref() != Some(&scope) {
                    // An exact read summarises one scope: a new scope ends it.
                    self.cancel_exact();
                    self.scope = Some(scope);
                }
            }
            ConnRequest::Close => {
                self.cancel_exact();
                self.scope = None;
            }
            ConnRequest::Exact => {
                if self.exact.is_none() {
                    self.exact_wanted = true;
                }
            }
            ConnRequest::CancelExact => self.cancel_exact(),
            ConnRequest::WatchHalfOpen(on) => self.half_open_wanted = on,
        }
    }

    fn cancel_exact(&mut self) {
        let wanted = std::mem::take(&mut self.exact_wanted);
        if self.exact.take().is_some() || wanted {
            self.pending.push(ConnEvent::ExactCancelled);
        }
    }

    /// The reads due now (after a poll, or at once after the view asked),
    /// and what they found.
    pub(super) fn read(&mut self, reader: &mut dyn Reader, clock: &dyn Clock) -> Vec<ConnEvent> {
        let mut out = std::mem::take(&mut self.pending);
        if std::mem::take(&mut self.exact_wanted) {
            self.start_exact(reader, clock, &mut out);
        }
        if self.exact.is_some() {
            // The exact read takes this refresh's budget; the view keeps
            // its last reading meanwhile, with the read's progress.
            self.continue_exact(clock, &mut out);
        } else if self.scope.is_some()
            || (self.half_open_wanted && clock.now() >= self.half_open_due)
        {
            let expected = self.known.expected_entries();
            let plan = self.budget.plan(&self.model, expected);
            self.walk(reader, clock, plan, ReadOf::View, &mut out);
        }
        out
    }

    fn walk(
        &mut self,
        reader: &mut dyn Reader,
        clock: &dyn Clock,
        plan: Plan,
        of: ReadOf,
        out: &mut Vec<ConnEvent>,
    ) {
        let attribution = self.known.attribution();
        let expected = self.known.expected_entries();
        let source = source_of(reader);
        let mut summary = self
            .scope
            .clone()
            .map(|s| Summarizer::new(attribution.clone(), s, self.limits).reading(source));
        let mut half = HalfOpenCounter::new(attribution);
        let start = clock.now();
        let deadline = start + plan.deadline;
        let limit = plan.limit.unwrap_or(u64::MAX);
        let mut n = 0u64;
        let mut feed = Feed::new(summary.as_mut(), &mut half);
        let result = reader.connections(source, &mut |c| {
            feed.take(c);
            n += 1;
            if n >= limit || (n.is_multiple_of(CHECK_EVERY) && clock.now() >= deadline) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        let end = clock.now();
        self.half_open_due = end + HALF_OPEN_EVERY;
        let walk = match result {
            Ok(walk) => walk,
            Err(e) => {
                let error = e.to_string();
                if summary.is_some() {
                    out.push(ConnEvent::Failed {
                        of,
                        error: error.clone(),
                        at: end,
                    });
                }
                out.push(ConnEvent::Failed {
                    of: ReadOf::HalfOpen,
                    error,
                    at: end,
                });
                return;
            }
        };
        let took = end.saturating_sub(start);
        self.model.learn(walk.entries, took);
        let sampling = if walk.complete {
            Sampling::Exact
        } else {
            Sampling::Sampled {
                read: walk.entries,
                expected: expected.max(walk.entries),
            }
        };
        let wall = clock.wall();
        if let Some(s) = summary {
            out.push(ConnEvent::Reading(Arc::new(s.finish(ReadStamp {
                sampling,
                made: Made::OneGo,
                at: end,
                wall,
                took,
                read: walk.entries,
                malformed: walk.malformed,
            }))));
        }
        out.push(ConnEvent::HalfOpen(Arc::new(
            half.finish(sampling, end, wall),
        )));
    }

    fn start_exact(
        &mut self,
        reader: &mut dyn Reader,
        clock: &dyn Clock,
        out: &mut Vec<ConnEvent>,
    ) {
        let Some(scope) = self.scope.clone() else {
            return;
        };
        let expected = self.known.expected_entries();
        let source = source_of(reader);
        match reader.open_connections(source) {
            Ok(cursor) => {
                let attribution = self.known.attribution();
                let progress = ExactProgress {
                    read: 0,
                    expected,
                    began: clock.now(),
                    refreshes: 0,
                };
                out.push(ConnEvent::Progress(progress));
                self.exact = Some(ExactRead {
                    cursor,
                    summary: Summarizer::new(attribution.clone(), scope, self.limits)
                        .reading(source),
                    half: HalfOpenCounter::new(attribution),
                    progress,
                    malformed: 0,
                });
            }
            Err(e) if e.kind() == ErrorKind::NotAvailable => {
                // Cannot keep a walk open: read whole in one go if that is short.
                let predicted = self.model.predict(expected);
                let short = match predicted {
                    Some(t) => t <= EXACT_ONE_GO_MAX,
                    None => expected <= self.budget.sample,
                };
                if short {
                    let plan = Plan {
                        limit: None,
                        deadline: Duration::MAX / 4,
                    };
                    self.walk(reader, clock, plan, ReadOf::Exact, out);
                } else {
                    let about = predicted.map_or(String::new(), |t| {
                        format!(" (about {} s)", t.as_secs().max(1))
                    });
                    out.push(ConnEvent::Failed {
                        of: ReadOf::Exact,
                        error: format!(
                            "{e}, and reading the whole table in one go{about} would hold up the polls"
                        ),
                        at: clock.now(),
                    });
                }
            }
            Err(e) => out.push(ConnEvent::Failed {
                of: ReadOf::Exact,
                error: e.to_string(),
                at: clock.now(),
            }),
        }
    }

    fn continue_exact(&mut self, clock: &dyn Clock, out: &mut Vec<ConnEvent>) {
        let Some(ex) = self.exact.as_mut() else {
            return;
        };
        let deadline = clock.now() + self.budget.per_refresh;
        let mut n = 0u64;
        let mut feed = Feed::new(Some(&mut ex.summary), &mut ex.half);
        let result = ex.cursor.resume(&mut |c| {
            feed.take(c);
            n += 1;
            if n.is_multiple_of(CHECK_EVERY) && clock.now() >= deadline {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        ex.progress.refreshes += 1;
        let walk = match result {
            Ok(w) => w,
            Err(e) => {
                self.exact = None;
                out.push(ConnEvent::Failed {
                    of: ReadOf::Exact,
                    error: e.to_string(),
                    at: clock.now(),
                });
                return;
            }
        };
        ex.progress.read += walk.entries;
        ex.malformed += walk.malformed;
        if !walk.complete {
            out.push(ConnEvent::Progress(ex.progress));
            return;
        }
        let Some(ex) = self.exact.take() else {
            return;
        };
        let end = clock.now();
        let wall = clock.wall();
        self.half_open_due = end + HALF_OPEN_EVERY;
        out.push(ConnEvent::Reading(Arc::new(ex.summary.finish(ReadStamp {
            sampling: Sampling::Exact,
            made: Made::Spread {
                refreshes: ex.progress.refreshes,
            },
            at: end,
            wall,
            took: end.saturating_sub(ex.progress.began),
            read: ex.progress.read,
            malformed: ex.malformed,
        }))));
        out.push(ConnEvent::HalfOpen(Arc::new(ex.half.finish(
            Sampling::Exact,
            end,
            wall,
        ))));
    }
}
