//! Fault tests: several phones, each running the app's own sync round (`sakhi_sync::round`) over
//! an in-memory replica, talk to the real server through a network that drops requests, repeats
//! them, holds them back to arrive after later ones, cuts bodies short, and loses answers after
//! the server committed. Workers edit the same few cases, the same fields, online and off. In some
//! runs the server is backed up now and then, and later restored from its latest backup under a
//! new epoch, losing what it acknowledged since. Once the network heals and every phone has synced
//! until nothing changes: every phone holds exactly what the server holds; every change any server
//! acknowledged is there; and every edit anyone typed is there, as the winner, as a conflict kept
//! for review, or replaced by someone who saw it. The server's state is checked against the merge
//! of every edit ever made. Workers also attach files to cases, whose content each phone sends in
//! chunks after its round (`sakhi_sync::content`), through the same faults: every file attached
//! ends on the server whole, byte for byte, restores or not.
//!
//! One run is one seed, and nothing in it reads a clock or the system's randomness: the phones'
//! clocks are simulated time and every choice comes from the seed. `SAKHI_SIM_SEED=n` replays one
//! seed and prints what happened; `SAKHI_SIM_SEEDS=n` runs n seeds instead of [`SEEDS`].

mod network;
mod random;
mod server;

use network::{Exchange, Link, Network, Request};
use random::Random;
use sakhi_domain::schema::CASE;
use sakhi_domain::schema::NUMBER;
use sakhi_domain::schema::{CLOSURES, VIOLENCE_KINDS};
use sakhi_domain::trust::CLOCK_AHEAD;
use sakhi_domain::wire::attachment::{CHUNK_BYTES, chunk_count, chunk_len};
use sakhi_domain::wire::{Outcome, PushRequest, PushResponse, RestateResponse};
use sakhi_domain::{Change, ChangeId, Epoch, Kind, Record, RecordId};
use sakhi_sync::RoundError;
use sakhi_sync::content::{ContentSource, Sent, send_content};
use sakhi_sync::memory::MemoryReplica;
use serde_json::{Value, json};
use server::{Answer, Server, Template, WORKERS};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::ops::AddAssign;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

/// Seeds a plain `cargo test` runs: about a minute on two idle cores (see the README).
const SEEDS: u64 = 2_000;
/// Things that happen in one run before the network heals: each seed picks a number in this range.
const STEPS: (u64, u64) = (20, 70);
/// At most this many cases in a run, so that workers keep meeting on the same ones.
const CASES: usize = 4;
/// Fault-free rounds of every phone, at most, to settle after the network heals.
const SETTLING_PASSES: usize = 4;

/// Where the simulated time starts: a day in 2025, behind the server's own clock, which the
/// server bounds stamps by.
const START_MILLIS: u64 = 1_750_000_000_000;

#[test]
fn nothing_acknowledged_or_typed_is_lost_and_every_phone_ends_as_the_server_whatever_the_network() {
    let replay = std::env::var("SAKHI_SIM_SEED").ok().map(|seed| {
        seed.parse::<u64>()
            .expect("SAKHI_SIM_SEED must be a whole number")
    });
    let seeds: Vec<u64> = match replay {
        Some(seed) => vec![seed],
        None => {
            let count = std::env::var("SAKHI_SIM_SEEDS").map_or(SEEDS, |count| {
                count
                    .parse()
                    .expect("SAKHI_SIM_SEEDS must be a whole number")
            });
            (1..=count).collect()
        }
    };
    let verbose = replay.is_some();
    Template::get();

    let started = Instant::now();
    // One more thread than cores: each spends part of its time waiting for SQLite's worker
    // threads, and the spare one fills those gaps.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get() + 1);
    let failures = Mutex::new(Vec::new());
    let totals = Mutex::new(Tally::default());
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for thread in 0..threads {
            let (seeds, failures, totals, stop) = (&seeds, &failures, &totals, &stop);
            scope.spawn(move || {
                for &seed in seeds.iter().skip(thread).step_by(threads) {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    match run_seed(seed, verbose) {
                        Ok(tally) => *totals.lock().unwrap() += tally,
                        Err(why) => {
                            stop.store(true, Ordering::Relaxed);
                            failures.lock().unwrap().push((seed, why));
                        }
                    }
                }
            });
        }
    });

    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    if let Some((seed, why)) = failures.first() {
        panic!(
            "seed {seed} failed: {why}\n\
             Replay it, with what happened, with:\n    \
             SAKHI_SIM_SEED={seed} cargo test -p sakhi-server --test faults -- --nocapture"
        );
    }
    let totals = totals.into_inner().unwrap();
    println!(
        "{} seeds in {:.1} s on {threads} threads: {totals}",
        seeds.len(),
        started.elapsed().as_secs_f64()
    );
}

/// Plays one seed on a runtime of its own, and turns a panic into a failure of that seed.
fn run_seed(seed: u64, verbose: bool) -> Result<Tally, String> {
    let template = Template::get();
    let played = std::panic::catch_unwind(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("Failed to start a runtime")
            .block_on(async {
                let mut run = Run::start(template, seed, verbose).await;
                let outcome = run.play().await;
                let tally = run.tally;
                run.server.stop().await;
                outcome.map(|()| tally)
            })
    });
    played.unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        Err(format!("it panicked: {message}"))
    })
}

/// What the network does to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    /// Delivered, and its answer too.
    None,
    /// Lost before the server saw it.
    Drop,
    /// Held back: the device gives up waiting, and the server gets it later, after requests sent
    /// after it.
    Delay,
    /// The server gets the body cut short (a push), or the device gets the answer cut short.
    Cut,
    /// The server does the work and commits; the answer is lost.
    LoseAnswer,
    /// The server gets it twice; the device hears one of the two answers.
    Duplicate,
}

/// Counts over runs, to show what the seeds went through.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    edits: usize,
    requests: usize,
    faults: usize,
    restores: usize,
    /// Acknowledged changes that restores lost, for the phones to give back.
    lost_in_restores: usize,
    restated: usize,
    conflicts: usize,
    /// Edits of phones whose clocks ran years ahead, made again from the server's time.
    remade: usize,
    /// Files attached, each sent in chunks.
    attached: usize,
}

impl AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        self.edits += other.edits;
        self.requests += other.requests;
        self.faults += other.faults;
        self.restores += other.restores;
        self.lost_in_restores += other.lost_in_restores;
        self.restated += other.restated;
        self.conflicts += other.conflicts;
        self.remade += other.remade;
        self.attached += other.attached;
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} edits, {} requests served, {} faults, {} restores losing {} acknowledged \
             changes, {} restatements served, {} fields left in conflict for review, {} edits \
             from clocks years ahead made again, {} files attached",
            self.edits,
            self.requests,
            self.faults,
            self.restores,
            self.lost_in_restores,
            self.restated,
            self.conflicts,
            self.remade,
            self.attached
        )
    }
}

/// A worker's phone: its replica, its way to the server, her session, its clock's error, and the
/// files attached on it.
struct Phone {
    replica: MemoryReplica,
    link: Link,
    token: String,
    skew_millis: i64,
    contents: RefCell<BTreeMap<RecordId, Content>>,
    /// Contents the server refused, which no file of this run deserves.
    refusals: RefCell<Vec<String>>,
}

/// A file's content on the phone, and the server epoch in which the server last had it whole.
struct Content {
    bytes: Vec<u8>,
    received_in: Option<Epoch>,
}

impl ContentSource for Phone {
    type Error = Infallible;

    async fn chunk(&self, id: RecordId, n: u32) -> Result<Vec<u8>, Infallible> {
        let contents = self.contents.borrow();
        let bytes = &contents[&id].bytes;
        let start = n as usize * CHUNK_BYTES as usize;
        let len = chunk_len(bytes.len() as u64, n).expect("a chunk the content has") as usize;
        Ok(bytes[start..start + len].to_vec())
    }
}

/// Sends every file the server of the phone's epoch does not have whole; on a failure, the next
/// round tries again from where the server stands.
async fn send_contents(phone: &Phone) {
    let epoch = phone.replica.position().0;
    let waiting: Vec<RecordId> = phone
        .contents
        .borrow()
        .iter()
        .filter(|(_, content)| epoch.is_none() || content.received_in != epoch)
        .map(|(id, _)| *id)
        .collect();
    for id in waiting {
        match send_content(phone, &phone.link, id).await {
            Ok(Sent::Received) => {
                if let Some(content) = phone.contents.borrow_mut().get_mut(&id) {
                    content.received_in = epoch;
                }
            }
            Ok(Sent::Refused(refusal)) => phone
                .refusals
                .borrow_mut()
                .push(format!("the content of {id}: {refusal:?}")),
            Err(_) => return,
        }
    }
}

type Round = Pin<Box<dyn Future<Output = Result<(), RoundError<Infallible>>>>>;

/// One seed's world.
struct Run {
    random: Random,
    server: Server,
    network: Rc<Network>,
    phones: Vec<Rc<Phone>>,
    /// Each phone's round, while one runs.
    rounds: Vec<Option<Round>>,
    /// Requests held back, with the phone that sent them.
    late: Vec<(usize, Request)>,
    /// Simulated milliseconds since the Unix epoch.
    now: u64,
    /// How often this run's network misbehaves, in percent of deliveries.
    storm: u64,
    /// Whether this run's server is backed up and restored.
    restores: bool,
    cases: Vec<RecordId>,
    /// Every edit made on any phone.
    made: Vec<Change>,
    /// Every change the server answered "accepted" for, whether or not the answer arrived.
    acknowledged: BTreeMap<ChangeId, Change>,
    /// What the server refused, which no edit of this run deserves.
    refused: Vec<String>,
    tally: Tally,
    verbose: bool,
}

impl Run {
    async fn start(template: &Template, seed: u64, verbose: bool) -> Run {
        let mut random = Random::new(seed);
        let count = random.between(2, WORKERS as u64) as usize;
        let network = Rc::new(Network::new(count));
        let phones = template.sessions[..count]
            .iter()
            .enumerate()
            .map(|(device, (id, token))| {
                // A phone's clock may be an hour out either way; and now and then years ahead,
                // years behind, or back at 1970 after its battery ran flat.
                const YEAR: i64 = 365 * 86_400_000;
                let skew_millis = match random.below(8) {
                    0 => random.between(1, 10) as i64 * YEAR,
                    1 => -(random.between(1, 10) as i64) * YEAR,
                    2 => -(START_MILLIS as i64) + random.between(0, 86_400_000) as i64,
                    _ => random.between(0, 2 * 3_600_000) as i64 - 3_600_000,
                };
                Rc::new(Phone {
                    replica: MemoryReplica::new(*id),
                    link: Link {
                        network: Rc::clone(&network),
                        device,
                    },
                    token: token.clone(),
                    skew_millis,
                    contents: RefCell::default(),
                    refusals: RefCell::default(),
                })
            })
            .collect();
        let storm = random.between(0, 50);
        let restores = random.chance(50);
        let run = Run {
            server: Server::start(template).await,
            network,
            phones,
            rounds: (0..count).map(|_| None).collect(),
            late: Vec::new(),
            now: START_MILLIS,
            storm,
            restores,
            cases: Vec::new(),
            made: Vec::new(),
            acknowledged: BTreeMap::new(),
            refused: Vec::new(),
            tally: Tally::default(),
            verbose,
            random,
        };
        run.say(format!(
            "seed {seed}: {count} phones, {storm}% of deliveries go wrong, restores: {restores}"
        ));
        run
    }

    fn say(&self, line: String) {
        if self.verbose {
            println!("{line}");
        }
    }

    async fn play(&mut self) -> Result<(), String> {
        let steps = self.random.between(STEPS.0, STEPS.1);
        self.say(format!("{steps} steps"));
        for _ in 0..steps {
            self.now += self.random.between(1, 3_000);
            self.step().await;
            self.poll_rounds();
        }
        // The checks say more about what went wrong than a failure to settle does.
        let healed = self.heal().await;
        self.check().await?;
        healed
    }

    /// One thing happens: a request arrives, a round starts, a worker saves, a phone loses or
    /// finds its signal, a held-back request finally arrives, the server is backed up or restored,
    /// or nothing but time passes.
    async fn step(&mut self) {
        let roll = self.random.below(100);
        let phone = self.random.below(self.phones.len());
        let idle = self.rounds[phone].is_none() && self.network.is_online(phone);
        match roll {
            0..45 if self.network.in_flight() > 0 => {
                let at = self.random.below(self.network.in_flight());
                let exchange = self.network.take(at);
                let fault = self.fault();
                self.deliver(exchange, fault).await;
            }
            0..60 if idle => {
                self.say(format!("phone {phone} starts a round"));
                self.rounds[phone] = Some(self.round(phone));
            }
            85..90 => {
                let online = !self.network.is_online(phone);
                self.say(format!(
                    "phone {phone} goes {}",
                    if online { "online" } else { "offline" }
                ));
                self.network.set_online(phone, online);
            }
            90..94 if !self.late.is_empty() => {
                let (device, request) = self.late.remove(self.random.below(self.late.len()));
                self.say(format!("a held-back request of phone {device} arrives"));
                self.serve(device, &request, true).await;
            }
            94..97 if self.restores => {
                self.say("the server is backed up".to_owned());
                self.server.back_up().await;
            }
            97..99 if self.restores => {
                if self.server.restore().await {
                    let held = self.server.records().await;
                    let lost = self
                        .acknowledged
                        .values()
                        .filter(|change| !holds(&held, change))
                        .count();
                    self.say(format!(
                        "the server is restored from its latest backup, losing {lost} \
                         acknowledged changes"
                    ));
                    self.tally.restores += 1;
                    self.tally.lost_in_restores += lost;
                }
            }
            94.. => {}
            _ => self.edit(phone),
        }
    }

    fn round(&self, phone: usize) -> Round {
        let phone = Rc::clone(&self.phones[phone]);
        Box::pin(async move {
            sakhi_sync::round(&phone.replica, &phone.link).await?;
            send_contents(&phone).await;
            Ok(())
        })
    }

    /// Polls every running round until it waits for the network again or ends.
    fn poll_rounds(&mut self) {
        let mut context = Context::from_waker(Waker::noop());
        for phone in 0..self.rounds.len() {
            let Some(round) = self.rounds[phone].as_mut() else {
                continue;
            };
            if let Poll::Ready(outcome) = round.as_mut().poll(&mut context) {
                self.say(format!("phone {phone} ends its round: {outcome:?}"));
                self.rounds[phone] = None;
            }
        }
    }

    fn fault(&mut self) -> Fault {
        if !self.random.chance(self.storm) {
            return Fault::None;
        }
        match self.random.below(5) {
            0 => Fault::Drop,
            1 => Fault::Delay,
            2 => Fault::Cut,
            3 => Fault::LoseAnswer,
            _ => Fault::Duplicate,
        }
    }

    /// Takes a request to the server, or not, as `fault` says, and tells its phone what it would.
    async fn deliver(&mut self, exchange: Exchange, fault: Fault) {
        let device = exchange.device;
        if fault != Fault::None {
            self.tally.faults += 1;
            self.say(format!(
                "the network: {fault:?} for {:?} of phone {device}",
                kind_of(&exchange.request)
            ));
        }
        match fault {
            Fault::None => {
                let answer = self.serve(device, &exchange.request, true).await;
                exchange.answer(answer);
            }
            Fault::Drop => exchange.lose(),
            Fault::Delay => {
                self.late.push((device, exchange.request.clone()));
                exchange.lose();
            }
            Fault::Cut => match &exchange.request {
                Request::Push(body) => {
                    let cut = Request::Push(body[..self.random.below(body.len())].to_vec());
                    let answer = self.serve(device, &cut, false).await;
                    exchange.answer(answer);
                }
                Request::Restate(body) => {
                    let cut = Request::Restate(body[..self.random.below(body.len())].to_vec());
                    let answer = self.serve(device, &cut, false).await;
                    exchange.answer(answer);
                }
                // Over HTTP a body cut short never reaches a handler.
                Request::PutChunk { .. } => exchange.lose(),
                Request::Pull { .. } | Request::Upload(_) => {
                    let mut answer = self.serve(device, &exchange.request, true).await;
                    answer
                        .body
                        .truncate(self.random.below(answer.body.len().max(1)));
                    exchange.answer(answer);
                }
            },
            Fault::LoseAnswer => {
                self.serve(device, &exchange.request, true).await;
                exchange.lose();
            }
            Fault::Duplicate => {
                let first = self.serve(device, &exchange.request, true).await;
                let second = self.serve(device, &exchange.request, true).await;
                exchange.answer(if self.random.chance(50) {
                    first
                } else {
                    second
                });
            }
        }
    }

    /// The server's answer to `request` from `device`, noting what it acknowledged or refused.
    /// `whole` says whether the request arrived as sent: a cut one is rightly refused.
    async fn serve(&mut self, device: usize, request: &Request, whole: bool) -> Answer {
        self.tally.requests += 1;
        let token = self.phones[device].token.clone();
        match request {
            Request::Push(body) => {
                let answer = self.server.push(&token, body.clone()).await;
                if whole {
                    self.note_push(device, body, &answer);
                }
                answer
            }
            Request::Pull { after, limit } => {
                let answer = self.server.pull(&token, *after, *limit).await;
                if answer.status != 200 {
                    self.refused
                        .push(format!("a pull of phone {device}: {}", describe(&answer)));
                }
                answer
            }
            Request::Restate(body) => {
                let answer = self.server.restate(&token, body.clone()).await;
                if whole {
                    self.note_restatement(device, &answer);
                }
                answer
            }
            Request::Upload(id) => {
                let answer = self.server.upload(&token, *id).await;
                self.note_content(device, request, &answer);
                answer
            }
            Request::PutChunk { id, n, bytes } => {
                let answer = self.server.put_chunk(&token, *id, *n, bytes.clone()).await;
                self.note_content(device, request, &answer);
                answer
            }
        }
    }

    /// A request about content is answered, or 404 while the server does not hold its
    /// attachment's record (not pushed yet, or lost in a restore and not given back yet).
    fn note_content(&mut self, device: usize, request: &Request, answer: &Answer) {
        if !matches!(answer.status, 200 | 404) {
            self.refused.push(format!(
                "{} of phone {device}: {}",
                kind_of(request),
                describe(answer)
            ));
        }
    }

    fn note_restatement(&mut self, device: usize, answer: &Answer) {
        self.tally.restated += 1;
        if answer.status != 200 {
            self.refused.push(format!(
                "a restatement of phone {device}: {}",
                describe(answer)
            ));
            return;
        }
        let response: RestateResponse =
            serde_json::from_slice(&answer.body).expect("a restatement's answer");
        for result in response.results {
            if let Outcome::Rejected { code, reason } = result.outcome {
                self.refused.push(format!(
                    "record {} refused: {code}: {reason}",
                    result.record
                ));
            }
        }
    }

    fn note_push(&mut self, device: usize, body: &[u8], answer: &Answer) {
        if answer.status != 200 {
            self.refused
                .push(format!("a push of phone {device}: {}", describe(answer)));
            return;
        }
        let request: PushRequest = serde_json::from_slice(body).expect("a push as sent");
        let response: PushResponse = serde_json::from_slice(&answer.body).expect("a push answer");
        let sent: Vec<_> = request.changes.iter().map(|change| change.id).collect();
        let results = response
            .outcomes(&sent)
            .expect("an answer that adds up to the changes sent");
        for (change, result) in request.changes.iter().zip(&results) {
            match &result.outcome {
                Outcome::Accepted => {
                    self.acknowledged.insert(change.id, change.clone());
                }
                // Its phone makes it again from the server's time.
                Outcome::Rejected { code, .. } if code == CLOCK_AHEAD => {}
                Outcome::Rejected { code, reason } => self
                    .refused
                    .push(format!("change {} refused: {code}: {reason}", change.id)),
            }
        }
    }

    /// A worker on `phone` saves one field of a case: a new case now and then, otherwise one her
    /// phone holds, whoever made it.
    fn edit(&mut self, phone: usize) {
        let held = self.cases_held(phone);
        if !held.is_empty() && self.random.chance(8) {
            let case = held[self.random.below(held.len())];
            return self.attach(phone, case);
        }
        let case = if held.is_empty() || (self.cases.len() < CASES && self.random.chance(10)) {
            let case = RecordId::from_uuid(self.random.uuid());
            self.cases.push(case);
            case
        } else {
            held[self.random.below(held.len())]
        };
        let (field, value) = self.typed(phone, case);
        let at = self
            .now
            .saturating_add_signed(self.phones[phone].skew_millis);
        self.say(format!(
            "phone {phone} saves {field} = {value} in case {case}"
        ));
        let change = self.phones[phone]
            .replica
            .edit(case, Kind::Case, field, value, at)
            .expect("the simulation types only what the schema takes");
        self.made.push(change);
        self.tally.edits += 1;
    }

    /// The cases `phone` holds.
    fn cases_held(&self, phone: usize) -> Vec<RecordId> {
        self.phones[phone]
            .replica
            .records()
            .into_iter()
            .filter(|(_, record)| record.kind == Kind::Case)
            .map(|(id, _)| id)
            .collect()
    }

    /// A worker on `phone` attaches a file to `case`: the record says what it is, its size and its
    /// SHA-256; the content waits on the phone for the round to send it.
    fn attach(&mut self, phone: usize, case: RecordId) {
        let id = RecordId::from_uuid(self.random.uuid());
        let size = self.random.between(1, 3 * CHUNK_BYTES + 100) as usize;
        let seed = self.random.below(256) as u8;
        let bytes: Vec<u8> = (0..size)
            .map(|i| (i as u8).wrapping_mul(seed | 1).wrapping_add(seed))
            .collect();
        let digest: String = Sha256::digest(&bytes)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        let at = self
            .now
            .saturating_add_signed(self.phones[phone].skew_millis);
        self.say(format!(
            "phone {phone} attaches {size} bytes to case {case} as {id}"
        ));
        for (field, value) in [
            (CASE, json!(case.to_string())),
            ("media_type", json!("application/pdf")),
            ("size", json!(size)),
            ("sha256", json!(digest)),
        ] {
            let change = self.phones[phone]
                .replica
                .edit(id, Kind::Attachment, field, value, at)
                .expect("an attachment's fields as the schema takes them");
            self.made.push(change);
        }
        self.phones[phone].contents.borrow_mut().insert(
            id,
            Content {
                bytes,
                received_in: None,
            },
        );
        self.tally.attached += 1;
    }

    /// A field and something to type in it; text is unique to its edit, so that a lost one shows.
    fn typed(&mut self, phone: usize, case: RecordId) -> (&'static str, Value) {
        let n = self.made.len();
        match self.random.below(9) {
            0 => ("name", json!(format!("सीता {phone}.{n}"))),
            1 => ("village", json!(format!("Rampur {phone}.{n}"))),
            2 => ("age", json!(self.random.between(0, 120))),
            3 => {
                let kinds: Vec<&str> = VIOLENCE_KINDS
                    .iter()
                    .copied()
                    .filter(|_| self.random.chance(20))
                    .collect();
                ("violence", json!(kinds))
            }
            4 => ("description", json!(format!("पति ने मारा ({phone}.{n})"))),
            // Closing and reopening, on two phones at once: both reasons are kept for review.
            5 => (
                "closure",
                json!(CLOSURES[self.random.below(CLOSURES.len())]),
            ),
            6 => (
                "status",
                json!(if self.random.chance(50) {
                    "closed"
                } else {
                    "in_progress"
                }),
            ),
            // Merging it into another case as a duplicate, perhaps on two phones at once: into a
            // case her phone holds, as the app offers (so the server has it, or has it first).
            7 => {
                let held: Vec<RecordId> = self
                    .cases_held(phone)
                    .into_iter()
                    .filter(|other| *other != case)
                    .collect();
                match held.is_empty() {
                    true => ("deleted", json!(false)),
                    false => {
                        let into = held[self.random.below(held.len())];
                        ("merged_into", json!(into.to_string()))
                    }
                }
            }
            _ => ("deleted", json!(self.random.chance(30))),
        }
    }

    /// The network heals: held-back requests arrive, rounds in flight finish, and every phone
    /// syncs, one after another, until a pass changes nothing.
    async fn heal(&mut self) -> Result<(), String> {
        self.say("the network heals".to_owned());
        for phone in 0..self.phones.len() {
            self.network.set_online(phone, true);
        }
        for (device, request) in std::mem::take(&mut self.late) {
            self.serve(device, &request, true).await;
        }
        self.settle_rounds().await;
        for _ in 0..SETTLING_PASSES {
            let mut all_well = true;
            for phone in 0..self.phones.len() {
                self.rounds[phone] = Some(self.round(phone));
                let mut context = Context::from_waker(Waker::noop());
                loop {
                    let round = self.rounds[phone].as_mut().expect("a round runs");
                    if let Poll::Ready(outcome) = round.as_mut().poll(&mut context) {
                        self.say(format!("phone {phone} settles: {outcome:?}"));
                        all_well &= outcome.is_ok();
                        self.rounds[phone] = None;
                        break;
                    }
                    let exchange = self.network.take(0);
                    self.deliver(exchange, Fault::None).await;
                }
            }
            if all_well && self.settled().await {
                return Ok(());
            }
        }
        Err(format!(
            "the phones did not settle in {SETTLING_PASSES} fault-free passes"
        ))
    }

    /// Lets the rounds running when the network healed finish, without faults.
    async fn settle_rounds(&mut self) {
        self.poll_rounds();
        while self.network.in_flight() > 0 {
            let exchange = self.network.take(0);
            self.deliver(exchange, Fault::None).await;
            self.poll_rounds();
        }
    }

    /// Whether every phone's outbox is empty, it holds what the server holds, and the server has
    /// every file it attached whole.
    async fn settled(&self) -> bool {
        let server = self.server.records().await;
        self.phones.iter().all(|phone| {
            let epoch = phone.replica.position().0;
            phone.replica.outbox().is_empty()
                && phone.replica.records() == server
                && phone
                    .contents
                    .borrow()
                    .values()
                    .all(|content| epoch.is_some() && content.received_in == epoch)
        })
    }

    /// What must hold once everyone has synced.
    async fn check(&mut self) -> Result<(), String> {
        let refusals = self
            .phones
            .iter()
            .flat_map(|phone| phone.refusals.borrow().clone());
        if let Some(refusal) = self.refused.iter().cloned().chain(refusals).next() {
            return Err(format!("the server refused something: {refusal}"));
        }
        let server = self.server.records().await;
        for change in self.acknowledged.values() {
            if !holds(&server, change) {
                return Err(format!(
                    "the server acknowledged change {} ({} = {} in case {}) and lost it",
                    change.id, change.field, change.value, change.record
                ));
            }
        }
        // What was typed, as the server can take it: each edit stamped ahead of its clock made
        // again by its phone, with the server's time (a change the phone sent that no one typed
        // here), and the rest as typed.
        let remade: BTreeMap<ChangeId, Change> = self
            .phones
            .iter()
            .flat_map(|phone| phone.replica.remade())
            .collect();
        let mut made: Vec<&Change> = Vec::new();
        for change in &self.made {
            // Made again perhaps more than once, if an answer was lost: the last one stands.
            let mut kept = change;
            while let Some(again) = remade.get(&kept.id) {
                kept = again;
            }
            if !holds(&server, kept) {
                return Err(format!(
                    "an edit was lost: {} = {} in case {}, change {}",
                    change.field, change.value, change.record, change.id
                ));
            }
            made.push(kept);
        }
        self.tally.remade = remade.len();
        let mut everything: BTreeMap<RecordId, Record> = BTreeMap::new();
        for change in made {
            let kind = Kind::parse(&change.kind).expect("a kind the simulation makes");
            everything
                .entry(change.record)
                .or_insert_with(|| Record::new(change.record, kind))
                .apply(change);
        }
        // The server adds one thing of its own: each case's number, once, all different.
        let mut numbers = std::collections::BTreeSet::new();
        for (id, case) in server
            .iter()
            .filter(|(_, record)| record.kind == Kind::Case)
        {
            match case.text(NUMBER) {
                Some(number) if numbers.insert(number.to_owned()) => {}
                Some(number) => return Err(format!("case {id} has the number {number} twice")),
                None => return Err(format!("case {id} has no number")),
            }
        }
        let unnumbered: BTreeMap<RecordId, Record> = server
            .iter()
            .map(|(id, case)| (*id, case.without(NUMBER)))
            .collect();
        if let Some(differs) = first_difference(&everything, &unnumbered) {
            return Err(format!(
                "the server's records are not the merge of every edit made: {differs}"
            ));
        }
        for (at, phone) in self.phones.iter().enumerate() {
            let contents: Vec<(RecordId, Vec<u8>)> = phone
                .contents
                .borrow()
                .iter()
                .map(|(id, content)| (*id, content.bytes.clone()))
                .collect();
            for (id, bytes) in contents {
                let mut held = Vec::new();
                for n in 0..chunk_count(bytes.len() as u64) {
                    let answer = self.server.chunk(&phone.token, id, n).await;
                    if answer.status != 200 {
                        return Err(format!(
                            "chunk {n} of the file {id} of phone {at}: {}",
                            describe(&answer)
                        ));
                    }
                    held.extend(answer.body);
                }
                if held != bytes {
                    return Err(format!(
                        "the server holds the file {id} of phone {at} changed"
                    ));
                }
            }
            if let Some(differs) = first_difference(&server, &phone.replica.records()) {
                return Err(format!("phone {at} differs from the server: {differs}"));
            }
            if !phone.replica.outbox().is_empty() {
                return Err(format!("phone {at} still has changes to send"));
            }
        }
        self.tally.conflicts = server
            .values()
            .map(|record| record.conflicted_fields().count())
            .sum();
        self.say(format!("all is well: {}", self.tally));
        Ok(())
    }
}

/// Whether the server's copy of `change`'s record has seen its version.
fn holds(records: &BTreeMap<RecordId, Record>, change: &Change) -> bool {
    records
        .get(&change.record)
        .and_then(|record| record.fields.get(&change.field))
        .is_some_and(|field| field.has_seen(&change.version()))
}

/// The first field (or record) in which `expected` and `found` differ, both shown.
fn first_difference(
    expected: &BTreeMap<RecordId, Record>,
    found: &BTreeMap<RecordId, Record>,
) -> Option<String> {
    for id in expected.keys().chain(found.keys()) {
        let (left, right) = (expected.get(id), found.get(id));
        if left == right {
            continue;
        }
        let (Some(left), Some(right)) = (left, right) else {
            return Some(format!(
                "case {id}: expected {}, found {}",
                show(left),
                show(right)
            ));
        };
        for name in left.fields.keys().chain(right.fields.keys()) {
            let (a, b) = (left.fields.get(name), right.fields.get(name));
            if a != b {
                return Some(format!(
                    "case {id}, field {name}: expected {}, found {}",
                    show(a),
                    show(b)
                ));
            }
        }
    }
    None
}

fn show<T: serde::Serialize>(value: Option<&T>) -> String {
    value.map_or("nothing".to_owned(), |value| {
        serde_json::to_string(value).unwrap_or_default()
    })
}

fn kind_of(request: &Request) -> &'static str {
    match request {
        Request::Push(_) => "a push",
        Request::Pull { .. } => "a pull",
        Request::Restate(_) => "a restatement",
        Request::Upload(_) => "an upload's state",
        Request::PutChunk { .. } => "a chunk",
    }
}

fn describe(answer: &Answer) -> String {
    format!(
        "{} {}",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    )
}
