//! The one writer of a store's pushes and restatements, which commits the writes that arrive
//! together in one transaction (group commit). Each backend runs the writer its own way (SQLite on
//! a thread with a connection of its own, PostgreSQL as a task on one pooled connection); the
//! queue, the grouping and the savepoints are here.
//!
//! A push of a centre waits for the one before it: SQLite has one write lock per database, and
//! PostgreSQL locks the centre's row. Each would then also wait for a flush to disk of its own.
//! Here pushes queue, and the writer takes everything queued into the next transaction, each in a
//! savepoint of its own, and flushes once for all of them. A write that fails is rolled back to its
//! savepoint alone; the others still commit. Every caller gets its answer only after the commit,
//! so "acknowledged" still means durable.
//!
//! The writer is a thread or a task, not whichever caller holds a lock: a request whose client
//! hangs up is dropped by the web server mid-way, and with it would go the writes of every other
//! caller it was carrying. A write the writer has begun is finished; the phone that hung up sends
//! it again and is acknowledged it.

use super::ingest::{self, IngestTx};
use super::{AuditRecord, Pushed, Restated, Scope, StoreError};
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Change, DeviceId, Epoch, Record};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The most writes committed together, so that a long queue is taken in several transactions
/// and the first in it is not kept waiting for the last.
const MOST_IN_ONE_COMMIT: usize = 32;

/// A write waiting for the writer, with where its answer goes.
pub(super) enum Job {
    Push {
        scope: Scope,
        device: DeviceId,
        seen: Option<Cursor>,
        changes: Vec<Change>,
        audit: AuditRecord,
        now: u64,
        answer: oneshot::Sender<Result<Pushed, StoreError>>,
    },
    Restate {
        scope: Scope,
        records: Vec<Record>,
        given_epoch: Option<Epoch>,
        audit: AuditRecord,
        now: u64,
        answer: oneshot::Sender<Result<Restated, StoreError>>,
    },
    /// Stop once what is queued before this is written; answered when the writer has stopped.
    Stop(oneshot::Sender<()>),
}

impl Job {
    /// Answers the job with the failure that kept it from being written; a stop is answered
    /// that the writer stopped.
    pub(super) fn refuse(self, failure: impl Fn() -> StoreError) {
        // Nobody may be waiting any more; see [`Settled::send`].
        let _ = match self {
            Job::Push { answer, .. } => answer.send(Err(failure())).map_err(drop),
            Job::Restate { answer, .. } => answer.send(Err(failure())).map_err(drop),
            Job::Stop(answer) => answer.send(()).map_err(drop),
        };
    }

    fn centre(&self) -> Option<super::CentreId> {
        match self {
            Job::Push { scope, .. } | Job::Restate { scope, .. } => Some(scope.centre),
            Job::Stop(_) => None,
        }
    }
}

/// What a job's write gave, kept until the commit decides whether it stands.
pub(super) enum Done {
    Pushed(Settled<Pushed>),
    Restated(Settled<Restated>),
}

impl Done {
    /// Sends the result, or `failed` if the transaction it was written in did not commit.
    pub(super) fn send(self, failed: Option<&Arc<StoreError>>) {
        match self {
            Done::Pushed(settled) => settled.send(failed),
            Done::Restated(settled) => settled.send(failed),
        }
    }
}

/// One job's result and where it goes.
pub(super) struct Settled<T> {
    result: Result<T, StoreError>,
    answer: oneshot::Sender<Result<T, StoreError>>,
}

impl<T> Settled<T> {
    /// An answer nobody waits for any more (the request was dropped) is no loss: a committed
    /// write is durable, and the phone is acknowledged it when it sends it again.
    fn send(self, failed: Option<&Arc<StoreError>>) {
        let result = match failed {
            None => self.result,
            Some(error) => Err(StoreError::NotCommitted(error.clone())),
        };
        let _ = self.answer.send(result);
    }
}

/// The queue to a store's writer. Cloning it is cheap.
#[derive(Clone, Debug)]
pub(super) struct Queue {
    jobs: mpsc::UnboundedSender<Job>,
}

/// The writer's end of a [`Queue`].
pub(super) type Jobs = mpsc::UnboundedReceiver<Job>;

impl Queue {
    /// A queue, and the end its writer takes jobs from.
    pub(super) fn new() -> (Self, Jobs) {
        let (jobs, taken) = mpsc::unbounded_channel();
        (Self { jobs }, taken)
    }

    /// A push, written by the writer; see [`ingest::push`].
    pub(super) async fn push(
        &self,
        scope: Scope,
        device: DeviceId,
        seen: Option<Cursor>,
        changes: Vec<Change>,
        audit: AuditRecord,
        now: u64,
    ) -> Result<Pushed, StoreError> {
        self.ask(|answer| Job::Push {
            scope,
            device,
            seen,
            changes,
            audit,
            now,
            answer,
        })
        .await
    }

    /// A restatement, written by the writer; see [`ingest::restate`].
    pub(super) async fn restate(
        &self,
        scope: Scope,
        records: Vec<Record>,
        given_epoch: Option<Epoch>,
        audit: AuditRecord,
        now: u64,
    ) -> Result<Restated, StoreError> {
        self.ask(|answer| Job::Restate {
            scope,
            records,
            given_epoch,
            audit,
            now,
            answer,
        })
        .await
    }

    /// Asks the writer to stop once what is queued is written, and waits until it has.
    pub(super) async fn stop(&self) {
        let (answer, answered) = oneshot::channel();
        if self.jobs.send(Job::Stop(answer)).is_ok() {
            let _ = answered.await;
        }
    }

    /// Queues the job `job` makes with where its answer goes, and waits for the answer.
    async fn ask<T>(
        &self,
        job: impl FnOnce(oneshot::Sender<Result<T, StoreError>>) -> Job,
    ) -> Result<T, StoreError> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send(job(answer))
            .map_err(|_| StoreError::WriterStopped)?;
        answered.await.map_err(|_| StoreError::WriterStopped)?
    }
}

/// What the writer takes at once: the jobs to write together, and, if it was told to stop, the
/// stop and whatever came after it.
pub(super) struct Group {
    pub jobs: Vec<Job>,
    pub stop: Option<Vec<Job>>,
}

impl Group {
    /// `first` and whatever else is queued behind it, up to [`MOST_IN_ONE_COMMIT`], in the order
    /// of their centres (a centre's own in the order they came), so that two servers sharing a
    /// database lock centres in one order and never wait on each other in a circle.
    pub(super) fn gather(first: Job, queued: &mut Jobs) -> Self {
        let mut jobs = vec![first];
        while jobs.len() < MOST_IN_ONE_COMMIT {
            match queued.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let stop = jobs
            .iter()
            .position(|job| matches!(job, Job::Stop(_)))
            .map(|at| jobs.split_off(at));
        jobs.sort_by_key(Job::centre);
        Self { jobs, stop }
    }

    /// Answers the stop and refuses what came after it: the writer has stopped.
    pub(super) fn stopped(stop: Vec<Job>) {
        for job in stop {
            job.refuse(|| StoreError::WriterStopped);
        }
    }
}

/// Writes `jobs` in the transaction `tx` has open and answers what became of each once the
/// caller has committed. Each write is kept if it succeeds and rolled back alone if it fails.
///
/// A savepoint per job costs two statements each, which on PostgreSQL are round trips; so the
/// group is first written under one savepoint, and only if a write fails is it rolled back and
/// written again with a savepoint per job. Nothing is answered before the commit, so a write
/// done twice is never seen twice.
pub(super) async fn write_all<T: IngestTx>(tx: &mut T, epoch: Epoch, jobs: Vec<Job>) -> Vec<Done> {
    let mut results = Vec::with_capacity(jobs.len());
    let mut begun = tx.execute("SAVEPOINT jobs").await;
    if begun.is_ok() {
        for job in &jobs {
            let result = write(tx, epoch, job).await;
            let failed = result.is_err();
            results.push(result);
            if failed {
                break;
            }
        }
        if results.iter().all(Result::is_ok) {
            begun = tx.execute("RELEASE SAVEPOINT jobs").await;
        } else {
            begun = tx.execute("ROLLBACK TO SAVEPOINT jobs").await;
            results.clear();
        }
    }
    if results.len() != jobs.len() {
        results.clear();
        // The transaction cannot be written in: every job fails as it would at the commit.
        let broken = begun.err().map(Arc::new);
        for job in &jobs {
            results.push(match &broken {
                None => in_savepoint(tx, epoch, job).await,
                Some(error) => Err(StoreError::NotCommitted(error.clone())),
            });
        }
    }
    jobs.into_iter()
        .zip(results)
        .map(|(job, result)| match (job, result) {
            (Job::Push { answer, .. }, result) => Done::Pushed(Settled {
                result: result.map(|written| match written {
                    Written::Pushed(pushed) => pushed,
                    Written::Restated(_) => unreachable!("a push is answered by a push"),
                }),
                answer,
            }),
            (Job::Restate { answer, .. }, result) => Done::Restated(Settled {
                result: result.map(|written| match written {
                    Written::Restated(restated) => restated,
                    Written::Pushed(_) => unreachable!("a restatement is answered by one"),
                }),
                answer,
            }),
            (Job::Stop(_), _) => {
                unreachable!("a stop is taken out of the group before it is written")
            }
        })
        .collect()
}

/// What a job's write gave.
enum Written {
    Pushed(Pushed),
    Restated(Restated),
}

/// Writes one job in the transaction `tx` has open.
async fn write<T: IngestTx>(tx: &mut T, epoch: Epoch, job: &Job) -> Result<Written, StoreError> {
    match job {
        Job::Push {
            scope,
            device,
            seen,
            changes,
            audit,
            now,
            ..
        } => ingest::push(tx, *scope, *device, *seen, changes, audit.clone(), *now)
            .await
            .map(Written::Pushed),
        Job::Restate {
            scope,
            records,
            given_epoch,
            audit,
            now,
            ..
        } => ingest::restate(
            tx,
            *scope,
            records,
            *given_epoch,
            epoch,
            audit.clone(),
            *now,
        )
        .await
        .map(Written::Restated),
        Job::Stop(_) => unreachable!("a stop is taken out of the group before it is written"),
    }
}

/// Writes one job in a savepoint of its own: kept if it succeeds, rolled back alone if it fails.
async fn in_savepoint<T: IngestTx>(
    tx: &mut T,
    epoch: Epoch,
    job: &Job,
) -> Result<Written, StoreError> {
    tx.execute("SAVEPOINT job").await?;
    let written = write(tx, epoch, job).await;
    if written.is_err() {
        tx.execute("ROLLBACK TO SAVEPOINT job").await?;
    }
    tx.execute("RELEASE SAVEPOINT job").await?;
    written
}

/// Answers every job of a group whose transaction could not begin.
pub(super) fn refuse_all(jobs: Vec<Job>, error: StoreError) {
    let error = Arc::new(error);
    for job in jobs {
        job.refuse(|| StoreError::NotCommitted(error.clone()));
    }
}
