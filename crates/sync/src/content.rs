//! Sending an attachment's content, resumably (see
//! [`wire::attachment`](sakhi_domain::wire::attachment)): ask the server where the upload
//! stands, then send each chunk it lacks, one at a time, reading each from the device's store only
//! when it goes. A cut link costs the chunk in flight; the next try starts from the first chunk
//! the server lacks, never from the start. Like [`round`](crate::round), it is generic, so that
//! the app runs it over its sealed store and `fetch`, and the fault tests run the same code over a
//! network that loses, repeats and reorders requests.

use crate::{Refusal, TransportError};
use sakhi_domain::RecordId;
use sakhi_domain::wire::attachment::Upload;

/// The way to the server for content.
#[allow(async_fn_in_trait)]
pub trait ContentTransport {
    /// `GET /api/v1/attachments/{id}/upload`.
    async fn upload(&self, id: RecordId) -> Result<Upload, ContentFailure>;

    /// `PUT /api/v1/attachments/{id}/chunks/{n}`.
    async fn put_chunk(
        &self,
        id: RecordId,
        n: u32,
        bytes: Vec<u8>,
    ) -> Result<Upload, ContentFailure>;
}

/// Where the device keeps content.
#[allow(async_fn_in_trait)]
pub trait ContentSource {
    type Error: std::error::Error + 'static;

    /// Chunk `n` of the content of attachment `id`, as it goes on the wire.
    async fn chunk(&self, id: RecordId, n: u32) -> Result<Vec<u8>, Self::Error>;
}

/// Why a request about content brought no upload's state.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContentFailure {
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The server refused, with its code and reason.
    #[error("the server refused: {0:?}")]
    Refused(Refusal),
}

/// What became of a content sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sent {
    /// The server holds every chunk, checked whole against the record's SHA-256.
    Received,
    /// The server refused it for good (too large, a full case, a damaged file): sending again
    /// would be refused again, so the device stops and shows the worker why.
    Refused(Refusal),
}

/// Why a send stopped early; the next try starts where the server stands.
#[derive(Debug, thiserror::Error)]
pub enum SendError<E: std::error::Error + 'static> {
    /// No answer, or not one that says where the upload stands. A 404 is one: the server does
    /// not hold the attachment's record yet (its push has not gone, or a restored server has not
    /// been given it back), so the content waits for it.
    #[error(transparent)]
    Transport(TransportError),
    /// The server answered, but not as the protocol promises.
    #[error("the server broke the content protocol: {0}")]
    Protocol(&'static str),
    #[error("the device's store failed: {0}")]
    Source(#[source] E),
}

/// Sends what the server lacks of the content of attachment `id`, chunk by chunk, until it is
/// received or refused for good.
pub async fn send_content<S: ContentSource, T: ContentTransport>(
    source: &S,
    transport: &T,
    id: RecordId,
) -> Result<Sent, SendError<S::Error>> {
    let mut upload = match transport.upload(id).await {
        Ok(upload) => upload,
        Err(failure) => return refused(failure),
    };
    loop {
        if upload.complete {
            return Ok(Sent::Received);
        }
        let Some(n) = upload.missing() else {
            // Every chunk there and the whole not checked: the server promises never to answer so.
            return Err(SendError::Protocol(
                "every chunk is held and the content is not received",
            ));
        };
        let bytes = source.chunk(id, n).await.map_err(SendError::Source)?;
        upload = match transport.put_chunk(id, n, bytes).await {
            Ok(upload) => upload,
            Err(failure) => return refused(failure),
        };
        if !upload.complete && !upload.received.contains(&n) {
            return Err(SendError::Protocol("a chunk kept is not among those held"));
        }
    }
}

/// A failure as the send's outcome: a refusal for good, or a reason to try later.
fn refused<E: std::error::Error + 'static>(failure: ContentFailure) -> Result<Sent, SendError<E>> {
    match failure {
        ContentFailure::Refused(refusal) if refusal.code == "not_found" => {
            Err(SendError::Transport(TransportError::Status(404)))
        }
        ContentFailure::Refused(refusal) => Ok(Sent::Refused(refusal)),
        ContentFailure::Transport(error) => Err(SendError::Transport(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sakhi_domain::wire::attachment::{CHUNK_BYTES, chunk_count, chunk_len};
    use std::cell::RefCell;
    use std::convert::Infallible;

    /// A server that holds what it was sent, and loses the answer to each chunk whose number is
    /// in `lose`, once.
    struct Server {
        size: u64,
        held: RefCell<Vec<u32>>,
        lose: RefCell<Vec<u32>>,
        puts: RefCell<Vec<u32>>,
    }

    impl Server {
        fn upload(&self) -> Upload {
            let chunks = chunk_count(self.size);
            let mut received = self.held.borrow().clone();
            received.sort_unstable();
            received.dedup();
            Upload {
                complete: received.len() == chunks as usize,
                chunks,
                received,
            }
        }
    }

    impl ContentTransport for Server {
        async fn upload(&self, _: RecordId) -> Result<Upload, ContentFailure> {
            Ok(self.upload())
        }

        async fn put_chunk(
            &self,
            _: RecordId,
            n: u32,
            bytes: Vec<u8>,
        ) -> Result<Upload, ContentFailure> {
            assert_eq!(Some(bytes.len() as u64), chunk_len(self.size, n));
            self.puts.borrow_mut().push(n);
            self.held.borrow_mut().push(n);
            let mut lose = self.lose.borrow_mut();
            if let Some(at) = lose.iter().position(|lost| *lost == n) {
                lose.remove(at);
                return Err(TransportError::NoAnswer.into());
            }
            Ok(self.upload())
        }
    }

    struct Content(u64);

    impl ContentSource for Content {
        type Error = Infallible;

        async fn chunk(&self, _: RecordId, n: u32) -> Result<Vec<u8>, Infallible> {
            Ok(vec![7; chunk_len(self.0, n).unwrap() as usize])
        }
    }

    fn run<F: std::future::Future>(future: F) -> F::Output {
        futures::executor::block_on(future)
    }

    #[test]
    fn a_cut_link_resumes_from_the_first_chunk_the_server_lacks() {
        let size = 4 * CHUNK_BYTES + 1;
        let server = Server {
            size,
            held: RefCell::new(vec![1]),
            lose: RefCell::new(vec![2]),
            puts: RefCell::default(),
        };
        let id = RecordId::new();
        let first = run(send_content(&Content(size), &server, id));
        assert!(matches!(
            first,
            Err(SendError::Transport(TransportError::NoAnswer))
        ));
        assert_eq!(
            run(send_content(&Content(size), &server, id)).unwrap(),
            Sent::Received
        );
        // Chunk 1 was held before, chunk 2 went once, its answer lost: nothing went twice.
        assert_eq!(*server.puts.borrow(), vec![0, 2, 3, 4]);
    }

    #[test]
    fn a_refusal_is_final_and_an_unknown_attachment_waits() {
        struct Refusing(&'static str);
        impl ContentTransport for Refusing {
            async fn upload(&self, _: RecordId) -> Result<Upload, ContentFailure> {
                Err(ContentFailure::Refused(Refusal {
                    code: self.0.to_owned(),
                    reason: String::new(),
                }))
            }
            async fn put_chunk(
                &self,
                _: RecordId,
                _: u32,
                _: Vec<u8>,
            ) -> Result<Upload, ContentFailure> {
                unreachable!("nothing is sent after a refusal")
            }
        }
        let id = RecordId::new();
        let full = run(send_content(
            &Content(1),
            &Refusing("case_attachments_full"),
            id,
        ));
        assert!(
            matches!(full, Ok(Sent::Refused(refusal)) if refusal.code == "case_attachments_full")
        );
        let unknown = run(send_content(&Content(1), &Refusing("not_found"), id));
        assert!(matches!(
            unknown,
            Err(SendError::Transport(TransportError::Status(404)))
        ));
    }
}
