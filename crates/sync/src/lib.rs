//! The sync round, as a protocol between the device's copy of the records and the server: push
//! every change that waits, in batches, forgetting each only once the server has acknowledged it;
//! then pull pages of what changed, each saved with the cursor after it. And when the server turns
//! out to be a restored one (a new epoch): give it back every record held, since it may have lost
//! changes it acknowledged after its backup was made, then pull its records afresh.
//!
//! It is generic over the device's side ([`Replica`]) and the way to the server ([`Transport`]),
//! so that the app runs it over IndexedDB and `fetch`, and the fault tests run the very same code
//! natively, over an in-memory replica and a network that loses and repeats requests. Nothing here
//! does I/O, reads a clock or draws a random number: the callers decide when a round runs.

pub mod content;
pub mod memory;
pub mod plan;

use sakhi_domain::trust::CLOCK_AHEAD;
use sakhi_domain::wire::{
    Cursor, MAX_PUSH_CHANGES, Outcome, PROTOCOL, PullResponse, PushRequest, PushResponse,
    RestateRequest, RestateResponse, Seen,
};
use sakhi_domain::{Change, ChangeId, DeviceId, Epoch, Record, RecordId};
use serde::{Deserialize, Serialize};

/// Records per pull page: small enough for a slow link, big enough to catch up in few requests.
pub const PULL_LIMIT: u32 = 200;

/// Why the server refused a change, as it said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub code: String,
    pub reason: String,
}

/// The device's side of a round: its outbox, its records and where its pulling stands. Each
/// method that writes must be durable when it returns, for the round moves on as if it were.
// Devices run one round at a time on one thread (the browser's, or a test's), and nothing names
// these futures, so they need no `Send` bound; `async fn` says what each does most plainly.
#[allow(async_fn_in_trait)]
pub trait Replica {
    type Error: std::error::Error + 'static;

    /// This installation's id, which every push names.
    fn device(&self) -> DeviceId;

    /// Up to `limit` changes to send, oldest first, leaving out those the server refused.
    async fn pending(&self, limit: usize) -> Result<Vec<Change>, Self::Error>;

    /// Takes in the server's answer to a push: accepted changes leave the outbox, refused ones
    /// stay, marked with the server's reason; and with `caught_up`, the cursor of the epoch kept
    /// moves to it (the server had nothing else for this device), all or nothing.
    async fn ack(
        &self,
        accepted: &[ChangeId],
        refused: &[(ChangeId, Refusal)],
        caught_up: Option<Cursor>,
    ) -> Result<(), Self::Error>;

    /// Where pulling continues: the server epoch last seen (if any) and the cursor in it.
    async fn sync_position(&self) -> Result<(Option<Epoch>, Cursor), Self::Error>;

    /// Keeps `epoch`, with cursor 0, if no epoch is kept yet; otherwise does nothing. The round
    /// calls it with the first answer to a push, before it takes in any acknowledgement, so that
    /// a later restore of that server is noticed even if no pull has succeeded since.
    async fn adopt_epoch(&self, epoch: Epoch) -> Result<(), Self::Error>;

    /// Makes again, stamped at `now_millis` (the server's time, as its answers say), every change
    /// waiting that is stamped ahead of the server's clock, in place of it: see
    /// [`sakhi_domain::trust::restamp`]. The server refused one such: the phone's date was wrong,
    /// and the worker loses nothing.
    async fn restamp(&self, now_millis: u64) -> Result<(), Self::Error>;

    /// Every record this device holds, deleted ones too, to give back to a restored server.
    async fn records(&self) -> Result<Vec<Record>, Self::Error>;

    /// Merges one pulled page into the local records, removes the records in `gone` (they left
    /// this worker's scope: assigned to someone else) unless changes to them still wait to be
    /// sent, and keeps `cursor` and `epoch` with it, all or nothing.
    async fn apply_pull_page(
        &self,
        records: &[Record],
        gone: &[RecordId],
        cursor: Cursor,
        epoch: Epoch,
    ) -> Result<(), Self::Error>;
}

/// The way to the server. An error says whether an answer came at all: after
/// [`TransportError::NoAnswer`] the request may or may not have been carried out.
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// `POST /api/v1/sync/push`.
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, TransportError>;

    /// `GET /api/v1/sync/pull?after=…&limit=…`.
    async fn pull(&self, after: Cursor, limit: u32) -> Result<PullResponse, TransportError>;

    /// `POST /api/v1/sync/restate`.
    async fn restate(&self, request: &RestateRequest) -> Result<RestateResponse, TransportError>;

    /// The server's clock now, as its last answer told it (its `Date` header) plus the time
    /// since; `None` if no answer has told it yet.
    fn server_now(&self) -> Option<u64>;
}

/// Why a request to the server brought no usable answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// Nothing came back: no network, a timeout, a connection cut. The server may have done the
    /// work all the same.
    #[error("the server could not be reached")]
    NoAnswer,
    /// The server answered with this HTTP status instead of a success.
    #[error("the server answered with status {0}")]
    Status(u16),
    /// An answer came that is not what the protocol says (cut short, or another shape).
    #[error("the server's answer could not be understood: {0}")]
    Unreadable(String),
}

/// Why a round stopped early. Everything stays where it was: the next round tries again.
#[derive(Debug, thiserror::Error)]
pub enum RoundError<E: std::error::Error + 'static> {
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The server answered, but not as the protocol promises; asking again at once would get the
    /// same answer.
    #[error("the server broke the sync protocol: {0}")]
    Protocol(&'static str),
    #[error("the device's store failed: {0}")]
    Replica(#[source] E),
}

/// One round: push everything pending, then pull everything new, giving a restored server back
/// what this device holds first.
pub async fn round<R: Replica, T: Transport>(
    replica: &R,
    transport: &T,
) -> Result<(), RoundError<R::Error>> {
    push(replica, transport).await?;
    pull(replica, transport).await
}

/// Pushes the outbox in batches until nothing waits. A change leaves the outbox only when the
/// server's answer names it, which it sends once the change is durable there.
async fn push<R: Replica, T: Transport>(
    replica: &R,
    transport: &T,
) -> Result<(), RoundError<R::Error>> {
    let mut adopted = false;
    let mut restamped = false;
    loop {
        let pending = replica
            .pending(MAX_PUSH_CHANGES)
            .await
            .map_err(RoundError::Replica)?;
        let batch = plan::push_batch(pending);
        if batch.is_empty() {
            return Ok(());
        }
        // At most a batch's thousand ids: searching them is quick, and a hash set would bring
        // its hashing code into the app shell.
        let sent: Vec<ChangeId> = batch.iter().map(|change| change.id).collect();
        // Read again for each batch: the last one's answer may have moved the cursor.
        let (epoch, cursor) = replica.sync_position().await.map_err(RoundError::Replica)?;
        let request = PushRequest {
            protocol: PROTOCOL,
            device: replica.device(),
            seen: Some(Seen { epoch, cursor }),
            changes: batch,
        };
        let response = transport.push(&request).await?;
        if !adopted {
            // Kept (if no epoch is yet) before any acknowledgement is taken in, so that a restore
            // of this server that loses it is noticed by the next pull (see `pull`).
            replica
                .adopt_epoch(response.epoch)
                .await
                .map_err(RoundError::Replica)?;
            adopted = true;
        }
        // Only a cursor of the epoch this device kept (or has just adopted, holding nothing of
        // any before), and never one behind it.
        let caught_up = response
            .caught_up
            .filter(|&to| epoch.is_none_or(|epoch| epoch == response.epoch) && to >= cursor);
        let Some((accepted, mut refused)) = answered(&sent, &response) else {
            // Asking again would get the same answer; the next round tries later.
            return Err(RoundError::Protocol(
                "the server's answer does not add up to the changes sent",
            ));
        };
        // Stamped ahead of the server's clock: made again from its time, not shown as refused.
        let (ahead, refused): (Vec<_>, Vec<_>) = std::mem::take(&mut refused)
            .into_iter()
            .partition(|(_, refusal)| refusal.code == CLOCK_AHEAD);
        replica
            .ack(&accepted, &refused, caught_up)
            .await
            .map_err(RoundError::Replica)?;
        if !ahead.is_empty() {
            let Some(now) = transport.server_now().filter(|_| !restamped) else {
                // Made again once a round: if the server still finds them ahead, its time is
                // not known here, and the next round tries again.
                return Ok(());
            };
            replica.restamp(now).await.map_err(RoundError::Replica)?;
            restamped = true;
        }
    }
}

/// The changes of a push that the server accepted, and those it refused with its reasons.
type Answered = (Vec<ChangeId>, Vec<(ChangeId, Refusal)>);

/// What became of the changes `sent`, by the server's answer; `None` if it cannot be to them.
fn answered(sent: &[ChangeId], response: &PushResponse) -> Option<Answered> {
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for result in response.outcomes(sent)? {
        match result.outcome {
            Outcome::Accepted => accepted.push(result.change),
            Outcome::Rejected { code, reason } => {
                refused.push((result.change, Refusal { code, reason }))
            }
        }
    }
    Some((accepted, refused))
}

/// Pulls pages after the saved cursor until the server has no more, saving each with its cursor.
async fn pull<R: Replica, T: Transport>(
    replica: &R,
    transport: &T,
) -> Result<(), RoundError<R::Error>> {
    let (mut epoch, mut cursor) = replica.sync_position().await.map_err(RoundError::Replica)?;
    let mut restated = false;
    loop {
        let page = transport.pull(cursor, PULL_LIMIT).await?;
        if epoch.is_some_and(|known| known != page.epoch) {
            if restated {
                // Servers of different lives answering in turn (a restore while this round ran,
                // or two databases behind one address): the next round starts over.
                return Err(RoundError::Protocol(
                    "the server's epoch changed again during the round",
                ));
            }
            // A restored server: it may have lost changes it acknowledged after its backup was
            // made, which this device no longer keeps as changes but holds in its records; and
            // our cursor counts in a sequence that no longer exists. Give everything back, then
            // pull from the beginning. The old epoch stays kept until a page of the new one is,
            // so a round cut short before then gives everything back again: merging is
            // idempotent, and the outbox keeps every change not acknowledged.
            restate(replica, transport, epoch).await?;
            restated = true;
            epoch = Some(page.epoch);
            cursor = Cursor(0);
            continue;
        }
        replica
            .apply_pull_page(&page.records, &page.gone, page.cursor, page.epoch)
            .await
            .map_err(RoundError::Replica)?;
        if !page.more {
            return Ok(());
        }
        if page.cursor <= cursor {
            return Err(RoundError::Protocol("the pull cursor did not advance"));
        }
        epoch = Some(page.epoch);
        cursor = page.cursor;
    }
}

/// Gives a restored server back every record this device holds, as field-stamped snapshots in
/// batches, for it to merge. A record it refuses (one no longer hers after the restore, say) stays
/// on this device as it is; nothing here deletes anything.
async fn restate<R: Replica, T: Transport>(
    replica: &R,
    transport: &T,
    from: Option<Epoch>,
) -> Result<(), RoundError<R::Error>> {
    // What waits stamped ahead of the server's clock would be refused: it is made again first.
    if let Some(now) = transport.server_now() {
        replica.restamp(now).await.map_err(RoundError::Replica)?;
    }
    let records = replica.records().await.map_err(RoundError::Replica)?;
    let mut rest = &records[..];
    while !rest.is_empty() {
        let (batch, after) = rest.split_at(plan::restate_batch(rest));
        let request = RestateRequest {
            protocol: PROTOCOL,
            device: replica.device(),
            epoch: from,
            records: batch.to_vec(),
        };
        let response = transport.restate(&request).await?;
        let sent: Vec<RecordId> = batch.iter().map(|record| record.id).collect();
        let answered: Vec<RecordId> = response.results.iter().map(|r| r.record).collect();
        if answered != sent {
            return Err(RoundError::Protocol(
                "the server did not answer for each record given back",
            ));
        }
        rest = after;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
