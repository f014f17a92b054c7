//! The simulated network: each device's [`Link`] puts its requests in flight, and the simulation
//! decides when each arrives and what becomes of it (see `Fault` in `main.rs`). A request waits
//! for its answer, or for the news that none will come, which is all a device ever learns.

use crate::server::Answer;
use sakhi_domain::RecordId;
use sakhi_domain::wire::ErrorBody;
use sakhi_domain::wire::attachment::Upload;
use sakhi_domain::wire::{
    Cursor, PullResponse, PushRequest, PushResponse, RestateRequest, RestateResponse,
};
use sakhi_sync::content::{ContentFailure, ContentTransport};
use sakhi_sync::{Refusal, Transport, TransportError};
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// A request as it travels.
#[derive(Clone, Debug)]
pub enum Request {
    /// A push's body, as bytes: the network may cut it.
    Push(Vec<u8>),
    Pull {
        after: Cursor,
        limit: u32,
    },
    /// A restatement's body, as bytes: the network may cut it too.
    Restate(Vec<u8>),
    /// Where the upload of an attachment's content stands.
    Upload(RecordId),
    /// A chunk of an attachment's content.
    PutChunk {
        id: RecordId,
        n: u32,
        bytes: Vec<u8>,
    },
}

/// What became of a request, as far as its device can tell.
#[derive(Debug)]
enum Reply {
    Waiting,
    Came(Answer),
    /// No answer will come: the device's time limit ran out.
    None,
}

/// A request in flight, and where its answer goes.
pub struct Exchange {
    pub device: usize,
    pub request: Request,
    reply: Rc<RefCell<Reply>>,
}

impl Exchange {
    pub fn answer(self, answer: Answer) {
        *self.reply.borrow_mut() = Reply::Came(answer);
    }

    pub fn lose(self) {
        *self.reply.borrow_mut() = Reply::None;
    }
}

/// Every request in flight, and which devices have a network at all.
pub struct Network {
    in_flight: RefCell<Vec<Exchange>>,
    online: RefCell<Vec<bool>>,
}

impl Network {
    pub fn new(devices: usize) -> Network {
        Network {
            in_flight: RefCell::new(Vec::new()),
            online: RefCell::new(vec![true; devices]),
        }
    }

    pub fn is_online(&self, device: usize) -> bool {
        self.online.borrow()[device]
    }

    pub fn set_online(&self, device: usize, online: bool) {
        self.online.borrow_mut()[device] = online;
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.borrow().len()
    }

    /// Takes the request in flight at `at`, for the simulation to deliver.
    pub fn take(&self, at: usize) -> Exchange {
        self.in_flight.borrow_mut().remove(at)
    }

    /// Sends `request` from `device` and waits for what comes back. Offline, nothing goes out.
    fn send(&self, device: usize, request: Request) -> WaitForReply {
        let reply = Rc::new(RefCell::new(Reply::Waiting));
        if self.is_online(device) {
            self.in_flight.borrow_mut().push(Exchange {
                device,
                request,
                reply: Rc::clone(&reply),
            });
        } else {
            *reply.borrow_mut() = Reply::None;
        }
        WaitForReply(reply)
    }
}

/// Ready once the simulation has answered or lost the request. The simulation polls every
/// device's round after each thing it does, so this registers no waker.
struct WaitForReply(Rc<RefCell<Reply>>);

impl Future for WaitForReply {
    type Output = Result<Answer, TransportError>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        match std::mem::replace(&mut *self.0.borrow_mut(), Reply::Waiting) {
            Reply::Waiting => Poll::Pending,
            Reply::Came(answer) => Poll::Ready(Ok(answer)),
            Reply::None => Poll::Ready(Err(TransportError::NoAnswer)),
        }
    }
}

/// One device's way to the server: the round's [`Transport`].
pub struct Link {
    pub network: Rc<Network>,
    pub device: usize,
}

impl Transport for Link {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, TransportError> {
        let body = serde_json::to_vec(request).expect("a push serialises");
        let answer = self.network.send(self.device, Request::Push(body)).await?;
        read(answer)
    }

    async fn pull(&self, after: Cursor, limit: u32) -> Result<PullResponse, TransportError> {
        let answer = self
            .network
            .send(self.device, Request::Pull { after, limit })
            .await?;
        read(answer)
    }

    /// The server under test keeps real time, which its `Date` header would tell.
    fn server_now(&self) -> Option<u64> {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        since.ok().map(|since| since.as_millis() as u64)
    }

    async fn restate(&self, request: &RestateRequest) -> Result<RestateResponse, TransportError> {
        let body = serde_json::to_vec(request).expect("a restatement serialises");
        let answer = self
            .network
            .send(self.device, Request::Restate(body))
            .await?;
        read(answer)
    }
}

impl ContentTransport for Link {
    async fn upload(&self, id: RecordId) -> Result<Upload, ContentFailure> {
        let answer = self.network.send(self.device, Request::Upload(id)).await?;
        read_content(answer)
    }

    async fn put_chunk(
        &self,
        id: RecordId,
        n: u32,
        bytes: Vec<u8>,
    ) -> Result<Upload, ContentFailure> {
        let request = Request::PutChunk { id, n, bytes };
        let answer = self.network.send(self.device, request).await?;
        read_content(answer)
    }
}

/// An upload's state, or the server's refusal with its code, as the app reads them.
fn read_content(answer: Answer) -> Result<Upload, ContentFailure> {
    if (400..500).contains(&answer.status)
        && let Ok(body) = serde_json::from_slice::<ErrorBody>(&answer.body)
    {
        return Err(ContentFailure::Refused(Refusal {
            code: body.code.unwrap_or_default(),
            reason: body.error,
        }));
    }
    Ok(read(answer)?)
}

/// The answer's JSON, if it is a success that reads as one, as the app's `fetch` does.
fn read<T: DeserializeOwned>(answer: Answer) -> Result<T, TransportError> {
    if !(200..300).contains(&answer.status) {
        return Err(TransportError::Status(answer.status));
    }
    serde_json::from_slice(&answer.body).map_err(|e| TransportError::Unreadable(e.to_string()))
}
