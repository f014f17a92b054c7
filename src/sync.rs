//! The sync client: sends the outbox to the server, brings the centre's changes in, and keeps the
//! screen's count of what still waits.
//!
//! A round pushes every pending change in batches, then pulls pages until the server has no more,
//! first giving a restored server back every record held; the protocol itself is
//! [`sakhi_sync::round`], and this module gives it the store and the server's [`api`].
//! Rounds run at start, when the browser comes online, when the app becomes visible again, right
//! after a local save, and on a timer: every 30 s while things work, with a growing, jittered wait
//! after failures. Never two rounds at once in a page: a round asked for while one runs happens
//! right after it, unless that one succeeded and nothing was saved meanwhile. A failure keeps
//! everything where it was; the next round tries again.

pub mod contents;
pub mod log;
pub mod waiting;

use crate::api::{self, ApiError, Token};
use crate::browser;
use crate::store::{OutboxEntry, Store, StoreError};
use leptos::prelude::*;
use sakhi_domain::wire::account::{ExportNotices, MAX_EXPORT_NOTICES};
use sakhi_domain::wire::{
    Cursor, PullQuery, PullResponse, PushRequest, PushResponse, RestateRequest, RestateResponse,
};
use sakhi_domain::{Change, ChangeId, DeviceId, Epoch, Record, RecordId};
use sakhi_sync::content::{SendError, Sent, send_content};
use sakhi_sync::{Refusal, Replica, RoundError, Transport, TransportError, plan};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use waiting::Waiting;

/// Why a round stopped early. Nothing here reaches the screen as an error: the waiting count says
/// what matters to the worker.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the browser is offline")]
    Offline,
    /// The server could not be reached, refused, or answered what could not be read.
    #[error(transparent)]
    Server(ApiError),
    #[error("the server's answer broke the sync protocol: {0}")]
    Protocol(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<RoundError<StoreError>> for SyncError {
    fn from(error: RoundError<StoreError>) -> Self {
        match error {
            RoundError::Transport(error) => SyncError::from(ApiError::from(error)),
            RoundError::Protocol(reason) => SyncError::Protocol(reason),
            RoundError::Replica(error) => SyncError::Store(error),
        }
    }
}

impl From<ApiError> for SyncError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Store(error) => SyncError::Store(error),
            error => SyncError::Server(error),
        }
    }
}

/// What the screen shows about syncing, shared through context.
#[derive(Clone, Copy)]
pub struct SyncStatus {
    /// The cases and camps with changes in the outbox that the server has not refused; `None`
    /// until the outbox was read.
    pub waiting: ReadSignal<Option<Waiting>>,
    /// The latest rounds that did something, newest first.
    pub log: ReadSignal<Vec<log::Round>>,
    /// Changes the server refused, with its reasons.
    pub refused: ReadSignal<Vec<OutboxEntry>>,
    /// Whether the browser believes it is online.
    pub online: ReadSignal<bool>,
    /// Fires whenever the records on this device change, so lists read them again.
    pub revision: Trigger,
    /// The server ended her session: nothing is sent until she logs in again.
    pub logged_out: ReadSignal<bool>,
    /// A round is talking to the server now.
    pub sending: ReadSignal<bool>,
}

#[derive(Clone, Copy)]
struct StatusWriters {
    waiting: WriteSignal<Option<Waiting>>,
    log: RwSignal<Vec<log::Round>>,
    refused: WriteSignal<Vec<OutboxEntry>>,
    online: WriteSignal<bool>,
    revision: Trigger,
    logged_out: WriteSignal<bool>,
    sending: WriteSignal<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Run {
    Idle,
    Running,
    /// Running, and asked for again meanwhile: one more round follows.
    Again,
}

/// Drives syncing for one page.
pub struct SyncClient {
    store: Rc<Store>,
    writers: StatusWriters,
    run: Cell<Run>,
    failures: Cell<u32>,
    timer: RefCell<Option<TimeoutHandle>>,
    /// Set when the worker locks or leaves: no round starts after it.
    stopped: Cell<bool>,
    /// Set by a local save; cleared as each round starts.
    saved_meanwhile: Cell<bool>,
    listeners: RefCell<Vec<WindowListenerHandle>>,
    /// For an outreach worker, her centre's purge days (see [`Store::purge`]); `None` for the
    /// other roles, whose phones keep the centre's cases.
    purge_days: Option<RwSignal<Option<u16>>>,
    /// When the last purge ran (ms since the epoch), and for how many days.
    purged: Cell<Option<(f64, u16)>>,
}

/// How often a phone looks for cases to purge, unless the centre's setting changes.
const PURGE_EVERY_MS: f64 = 60.0 * 60.0 * 1000.0;
const DAY_MS: u64 = 24 * 60 * 60 * 1000;

impl SyncClient {
    /// Makes the client and its status signals, hooks it to the browser's events and starts the
    /// first round.
    pub fn start(
        store: Rc<Store>,
        purge_days: Option<RwSignal<Option<u16>>>,
    ) -> (Rc<SyncClient>, SyncStatus) {
        let (waiting, set_waiting) = signal(None);
        let (refused, set_refused) = signal(Vec::new());
        let log = RwSignal::new(Vec::new());
        let (online, set_online) = signal(browser::is_online());
        let (logged_out, set_logged_out) = signal(false);
        let (sending, set_sending) = signal(false);
        let revision = Trigger::new();
        let client = Rc::new(SyncClient {
            store,
            writers: StatusWriters {
                waiting: set_waiting,
                log,
                refused: set_refused,
                online: set_online,
                revision,
                logged_out: set_logged_out,
                sending: set_sending,
            },
            run: Cell::new(Run::Idle),
            failures: Cell::new(0),
            timer: RefCell::new(None),
            stopped: Cell::new(false),
            saved_meanwhile: Cell::new(false),
            listeners: RefCell::new(Vec::new()),
            purge_days,
            purged: Cell::new(None),
        });
        client.listen();
        client.request();
        let reading = Rc::clone(&client);
        leptos::task::spawn_local(async move {
            // A log that cannot be read starts again empty; it only ever informs.
            let kept = reading.store.secret(log::LOG_SECRET).await.ok().flatten();
            if let Some(rounds) = kept.and_then(|json| serde_json::from_str(&json).ok()) {
                reading.writers.log.set(rounds);
            }
        });
        let status = SyncStatus {
            waiting,
            log: log.read_only(),
            refused,
            online,
            revision,
            logged_out,
            sending,
        };
        (client, status)
    }

    /// Stops for good: the worker locked the app or left. A round running finishes its request,
    /// and nothing starts after it.
    pub fn stop(&self) {
        self.stopped.set(true);
        if let Some(timer) = self.timer.borrow_mut().take() {
            timer.clear();
        }
        for listener in self.listeners.take() {
            listener.remove();
        }
    }

    /// Asks for a round: now if none runs, else right after the one running.
    pub fn request(self: &Rc<Self>) {
        if self.stopped.get() {
            return;
        }
        match self.run.get() {
            Run::Idle => {
                self.run.set(Run::Running);
                let client = Rc::clone(self);
                leptos::task::spawn_local(async move { client.run_rounds().await });
            }
            Run::Running => self.run.set(Run::Again),
            Run::Again => {}
        }
    }

    /// Called after the worker saved something: the screen counts it, lists show it, and it goes
    /// out at once if the network allows.
    pub async fn local_change(self: &Rc<Self>) {
        self.show_outbox().await;
        self.writers.revision.notify();
        self.send_soon();
    }

    /// Something new waits to be sent (a change, an export's notice): a round starts, or one
    /// already running that may have read what waits before it was kept runs once more.
    pub fn send_soon(self: &Rc<Self>) {
        self.saved_meanwhile.set(true);
        self.request();
    }

    async fn run_rounds(self: Rc<Self>) {
        if let Some(timer) = self.timer.borrow_mut().take() {
            timer.clear();
        }
        // The count is right before the network is tried, which on 2G may take a while.
        self.show_outbox().await;
        let outcome = loop {
            self.saved_meanwhile.set(false);
            let outcome = self.round().await;
            if self.stopped.get() {
                self.run.set(Run::Idle);
                return;
            }
            self.show_outbox().await;
            if self.run.get() == Run::Again {
                self.run.set(Run::Running);
                // A save may have come after the round read the outbox, and a failed round may
                // work now (the phone came online). But a round asked for by the browser while
                // one ran and then succeeded (online again, shown again) would find nothing: on
                // 2G each request costs its headers and a round trip.
                if outcome.is_err() || self.saved_meanwhile.get() {
                    continue;
                }
            }
            break outcome;
        };
        self.run.set(Run::Idle);

        self.writers.logged_out.set(matches!(
            outcome,
            Err(SyncError::Server(ApiError::LoggedOut))
        ));
        let wait = match outcome {
            Ok(()) | Err(SyncError::Offline) => {
                self.failures.set(0);
                plan::REGULAR
            }
            Err(_) => {
                self.failures.set(self.failures.get().saturating_add(1));
                plan::retry_after(self.failures.get(), js_sys::Math::random())
            }
        };
        let weak = Rc::downgrade(&self);
        let next = move || {
            if let Some(client) = weak.upgrade() {
                client.request();
            }
        };
        *self.timer.borrow_mut() = set_timeout_with_handle(next, wait).ok();
    }

    /// One round: push everything pending, then pull everything new.
    async fn round(&self) -> Result<(), SyncError> {
        let online = browser::is_online();
        self.writers.online.set(online);
        if !online {
            self.purge().await;
            return Err(SyncError::Offline);
        }
        let token = Token::kept(&self.store).await?;
        let server = Server { token: &token };
        // One tab of this browser syncs a worker's store at a time: two would send the same
        // outbox at once. Another tab's round waits its turn, then finds little left to do.
        let lock = format!("sakhi-sync-{}", self.store.device());
        let local = Local {
            client: self,
            pending: RefCell::new(Vec::new()),
            sent: RefCell::new(Vec::new()),
            received: Cell::new(0),
            refused: Cell::new(0),
            files_sent: Cell::new(0),
        };
        self.writers.sending.set(true);
        let outcome = browser::one_tab_at_a_time(&lock, async {
            let outcome = sakhi_sync::round(&local, &server).await;
            let outcome = match outcome {
                Ok(()) => {
                    // A failure leaves them kept, for the next round.
                    let _ = self.send_exports(&token).await;
                    // Files go after the records they belong to, which the server now holds.
                    self.send_contents(&token, &local.files_sent).await
                }
                Err(error) => Err(SyncError::from(error)),
            };
            // Under the same lock: another tab's pull must not bring news of a record between
            // this tab's reading it as old and deleting it.
            self.purge().await;
            outcome
        })
        .await;
        self.writers.sending.set(false);
        self.note_round(&local, outcome.as_ref().err()).await;
        outcome
    }

    /// Adds what `local`'s round did to the log the sync page shows, if it did anything.
    async fn note_round(&self, local: &Local<'_>, failed: Option<&SyncError>) {
        if self.stopped.get() {
            return;
        }
        let sent = local.sent.take();
        let placed = self.place(Waiting::unplaced(&sent)).await;
        let counted = Waiting::count(&sent, &placed);
        let round = log::Round {
            at: browser::now_millis(),
            sent_cases: counted.cases,
            sent_camps: counted.camps,
            sent_others: counted.others,
            sent_files: local.files_sent.get(),
            received: local.received.get(),
            refused: local.refused.get(),
            failed: failed.map(|error| {
                match error {
                    SyncError::Offline | SyncError::Server(ApiError::Unreachable) => "unreachable",
                    SyncError::Server(ApiError::LoggedOut) => "logged_out",
                    SyncError::Server(_) | SyncError::Protocol(_) => "server",
                    SyncError::Store(_) => "store",
                }
                .to_owned()
            }),
        };
        if !round.is_news() {
            return;
        }
        // Gone if she locked or left while the round ran: there is no page to tell, and nothing to
        // keep it under.
        let Some(kept) = self.writers.log.try_get_untracked() else {
            return;
        };
        let log = log::keep(kept, round);
        if let Ok(json) = serde_json::to_string(&log) {
            // Not kept, the page shows it until the app closes; nothing else depends on it.
            let _ = self.store.set_secret(log::LOG_SECRET, &json).await;
        }
        self.writers.log.set(log);
    }

    /// The case each of `work` (services, sessions, notes, closures) belongs to, as the store
    /// holds it.
    async fn place(&self, work: Vec<RecordId>) -> Vec<(RecordId, RecordId)> {
        let mut placed = Vec::new();
        for id in work {
            if let Ok(Some(record)) = self.store.record(id).await
                && let Some(case) = record.text("case").and_then(|case| case.parse().ok())
            {
                placed.push((id, case));
            }
        }
        placed
    }

    /// Tells the server's audit log of the exports made on this phone that it has not heard of,
    /// as many at a time as the server takes, and forgets those it logged.
    async fn send_exports(&self, token: &Token) -> Result<(), SyncError> {
        let waiting = crate::export::waiting(&self.store).await?;
        if waiting.exports.is_empty() {
            return Ok(());
        }
        let batch = ExportNotices {
            exports: waiting
                .exports
                .into_iter()
                .take(MAX_EXPORT_NOTICES)
                .collect(),
        };
        api::send_exports(token, &batch).await?;
        crate::export::forget_sent(&self.store, batch.exports.len()).await?;
        Ok(())
    }

    /// Sends the content of each file on the phone that the server has not received, one file at
    /// a time, each resuming from the first chunk the server lacks. A file whose record the
    /// server does not hold yet (still in the outbox, or a form not saved) waits; a refusal for
    /// good is kept to show her why; any other failure ends the round, to be tried again.
    async fn send_contents(
        &self,
        token: &Token,
        sent_count: &Cell<usize>,
    ) -> Result<(), SyncError> {
        let held = self.store.contents().await?;
        if held.is_empty() {
            return Ok(());
        }
        let mut ledger = contents::read(&self.store).await?;
        let before = ledger.clone();
        // A file sealed for a form not saved yet waits for its record.
        let waiting = self.store.saved(&ledger.waiting(&held)).await?;
        let server = api::attachments::ContentServer(token);
        let mut outcome = Ok(());
        for id in waiting {
            if self.stopped.get() {
                break;
            }
            let sent = match send_content(&*self.store, &server, id).await {
                Ok(Sent::Received) => {
                    sent_count.set(sent_count.get() + 1);
                    contents::Outcome::Received
                }
                Ok(Sent::Refused(refusal)) => contents::Outcome::Refused(refusal.code),
                Err(SendError::Transport(TransportError::Status(404))) => continue,
                Err(SendError::Transport(error)) => {
                    outcome = Err(SyncError::from(ApiError::from(error)));
                    break;
                }
                Err(SendError::Protocol(reason)) => {
                    outcome = Err(SyncError::Protocol(reason));
                    break;
                }
                Err(SendError::Source(error)) => {
                    outcome = Err(SyncError::Store(error));
                    break;
                }
            };
            ledger.sent.insert(id, sent);
            // Kept after each file: on 2G a round may end between two.
            contents::keep(&self.store, &ledger).await?;
            self.writers.revision.notify();
        }
        if ledger != before {
            contents::keep(&self.store, &ledger).await?;
        }
        outcome
    }

    /// Removes an outreach worker's synced cases that nobody changed in her centre's purge days,
    /// once an hour, or at once when that setting changed. A failure waits for the next round.
    async fn purge(&self) {
        let Some(days) = self.purge_days.and_then(|days| days.get_untracked()) else {
            return;
        };
        let now = js_sys::Date::now();
        if self
            .purged
            .get()
            .is_some_and(|(at, then)| then == days && now - at < PURGE_EVERY_MS)
        {
            return;
        }
        let before = (now as u64).saturating_sub(u64::from(days) * DAY_MS);
        if let Ok(removed) = self.store.purge(before).await {
            self.purged.set(Some((now, days)));
            if removed > 0 {
                self.writers.revision.notify();
            }
        }
    }

    /// Shows the outbox's state: how many changes wait, and which the server refused.
    async fn show_outbox(&self) {
        // If the store cannot be read, the last count shown stays; nothing is lost by that.
        if let Ok(outbox) = self.store.outbox().await {
            let (refused, waiting): (Vec<OutboxEntry>, Vec<OutboxEntry>) = outbox
                .into_iter()
                .partition(|entry| entry.rejected.is_some());
            let changes: Vec<&Change> = waiting.iter().map(|entry| &entry.change).collect();
            let placed = self.place(Waiting::unplaced(changes.iter().copied())).await;
            let waiting = Waiting {
                files: self.files_waiting().await,
                ..Waiting::count(changes.iter().copied(), &placed)
            };
            self.writers.waiting.set(Some(waiting));
            self.writers.refused.set(refused);
        }
    }

    /// How many files saved with their records the server has not received (nor refused): read
    /// from keys alone, and from the records' only when some file is not known to be sent.
    async fn files_waiting(&self) -> usize {
        let Ok(held) = self.store.contents().await else {
            return 0;
        };
        if held.is_empty() {
            return 0;
        }
        let Ok(mut ledger) = contents::read(&self.store).await else {
            return 0;
        };
        let waiting = ledger.waiting(&held);
        if waiting.is_empty() {
            return 0;
        }
        self.store
            .saved(&waiting)
            .await
            .map_or(0, |saved| saved.len())
    }

    /// Hooks rounds to the browser's events until the client stops. The listeners hold the client
    /// weakly, so that once the worker locks, nothing keeps her store (and its key) alive.
    fn listen(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        let on_online = window_event_listener(leptos::ev::online, move |_| {
            if let Some(client) = weak.upgrade() {
                client.writers.online.set(true);
                // Always a round after coming online, even if one ran meanwhile and succeeded:
                // it may have pulled before the link dropped, and others' news waits since.
                client.send_soon();
            }
        });
        let writers = self.writers;
        let on_offline =
            window_event_listener(leptos::ev::offline, move |_| writers.online.set(false));
        let weak = Rc::downgrade(self);
        let on_visible = window_event_listener(leptos::ev::visibilitychange, move |_| {
            if document().visibility_state() == web_sys::VisibilityState::Visible
                && let Some(client) = weak.upgrade()
            {
                client.request();
            }
        });
        *self.listeners.borrow_mut() = vec![on_online, on_offline, on_visible];
    }
}

/// The device's side of a round: the store, and the screen that shows what it holds. The count of
/// what waits goes down after each acknowledged batch, and lists read again after each page that
/// brought records.
struct Local<'a> {
    client: &'a SyncClient,
    /// The changes last handed to the round, to name what the server took.
    pending: RefCell<Vec<Change>>,
    /// The changes the server took in this round.
    sent: RefCell<Vec<Change>>,
    received: Cell<usize>,
    refused: Cell<usize>,
    /// Files whose content the server received in this round.
    files_sent: Cell<usize>,
}

impl Replica for Local<'_> {
    type Error = StoreError;

    fn device(&self) -> DeviceId {
        self.client.store.device()
    }

    async fn pending(&self, limit: usize) -> Result<Vec<Change>, StoreError> {
        let pending = self.client.store.pending(limit).await?;
        *self.pending.borrow_mut() = pending.clone();
        Ok(pending)
    }

    async fn ack(
        &self,
        accepted: &[ChangeId],
        refused: &[(ChangeId, Refusal)],
        caught_up: Option<Cursor>,
    ) -> Result<(), StoreError> {
        self.client.store.ack(accepted, refused, caught_up).await?;
        self.sent.borrow_mut().extend(
            self.pending
                .borrow()
                .iter()
                .filter(|change| accepted.contains(&change.id))
                .cloned(),
        );
        self.refused.set(self.refused.get() + refused.len());
        self.client.show_outbox().await;
        Ok(())
    }

    async fn sync_position(&self) -> Result<(Option<Epoch>, Cursor), StoreError> {
        self.client.store.sync_position().await
    }

    async fn adopt_epoch(&self, epoch: Epoch) -> Result<(), StoreError> {
        self.client.store.adopt_epoch(epoch).await
    }

    async fn restamp(&self, now_millis: u64) -> Result<(), StoreError> {
        self.client.store.restamp(now_millis).await
    }

    async fn records(&self) -> Result<Vec<Record>, StoreError> {
        self.client.store.records().await
    }

    async fn apply_pull_page(
        &self,
        records: &[Record],
        gone: &[RecordId],
        cursor: Cursor,
        epoch: Epoch,
    ) -> Result<(), StoreError> {
        self.client
            .store
            .apply_pull_page(records, gone, cursor, epoch)
            .await?;
        self.received.set(self.received.get() + records.len());
        if !records.is_empty() || !gone.is_empty() {
            self.client.writers.revision.notify();
        }
        Ok(())
    }
}

/// Sakhi's server, as the worker holding `token`.
struct Server<'a> {
    token: &'a Token,
}

impl Transport for Server<'_> {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, TransportError> {
        api::push(self.token, request)
            .await
            .map_err(TransportError::from)
    }

    async fn pull(&self, after: Cursor, limit: u32) -> Result<PullResponse, TransportError> {
        let query = PullQuery { after, limit };
        api::pull(self.token, &query)
            .await
            .map_err(TransportError::from)
    }

    async fn restate(&self, request: &RestateRequest) -> Result<RestateResponse, TransportError> {
        api::restate(self.token, request)
            .await
            .map_err(TransportError::from)
    }

    fn server_now(&self) -> Option<u64> {
        crate::clock::server_now()
    }
}
