//! The secrets the server makes and checks: session tokens, one-time setup codes and password
//! hashes (Argon2id, run off the async threads in turns the limiter gives).

use crate::error::AppError;
use crate::limiter::Limiter;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// Fresh random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).expect("the operating system's random source works");
    bytes
}

/// A new session token: 256 random bits, base64url without padding.
pub fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// What is stored of a token or setup code: its SHA-256, in hex. Both carry enough randomness
/// that a fast hash is safe.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The base64 SHA-256 of some text, as a CSP source wants it.
pub fn sha256_base64(text: &str) -> String {
    STANDARD.encode(Sha256::digest(text.as_bytes()))
}

/// A new one-time setup code: 80 random bits as 16 letters and digits in four groups
/// (`ABCD-EFGH-JKMN-PQRS`), easy to read aloud and type.
pub fn new_setup_code() -> String {
    // Crockford's base32: no I, L, O or U to misread.
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bytes = random_bytes::<10>();
    let mut bits: u128 = 0;
    for byte in bytes {
        bits = (bits << 8) | u128::from(byte);
    }
    let mut code = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            code.push('-');
        }
        let index = (bits >> (75 - 5 * i)) & 31;
        code.push(char::from(ALPHABET[index as usize]));
    }
    code
}

/// A setup code as compared: without spaces or dashes, in capitals.
pub fn normalise_setup_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// OWASP's Argon2id parameters: 19 MiB, two passes, one lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("constant Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password (in PHC form), off the async threads: it takes tens of milliseconds. Outside
/// any turn: for the server's start and its commands, before any request is served; a request
/// hashes with [`hash_password_in_turn`].
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|_| AppError::Internal)?
}

/// Hashes a password in its turn at Argon2 (see [`Limiter::password_turn`]); 429 if the server
/// is too busy.
pub async fn hash_password_in_turn(
    limiter: &Limiter,
    password: String,
) -> Result<String, AppError> {
    in_turn(limiter, move || hash_now(&password)).await?
}

fn hash_now(password: &str) -> Result<String, AppError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(|_| AppError::Internal)?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| AppError::Internal)
}

/// Whether `password` matches `hash`, checked in its turn at Argon2; 429 if the server is too
/// busy. A hash that cannot be read matches nothing.
pub async fn verify_password(
    limiter: &Limiter,
    password: String,
    hash: String,
) -> Result<bool, AppError> {
    in_turn(limiter, move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
}

/// Runs one Argon2 job off the async threads once the limiter gives it a turn, which it holds
/// until the job is done, even if the request that asked is dropped meanwhile: what bounds
/// Argon2's memory is the jobs running, not the requests waiting.
async fn in_turn<T: Send + 'static>(
    limiter: &Limiter,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let turn = limiter
        .password_turn()
        .await
        .ok_or(AppError::TooManyTries {
            retry_after_secs: 1,
        })?;
    tokio::task::spawn_blocking(move || {
        let done = job();
        drop(turn);
        done
    })
    .await
    .map_err(|_| AppError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_random_bits_in_base64url() {
        let token = new_token();
        assert_eq!(token.len(), 43);
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(token, new_token());
        assert_eq!(sha256_hex("abc").len(), 64);
    }

    #[test]
    fn a_setup_code_reads_in_four_groups_and_compares_without_dashes_or_case() {
        let code = new_setup_code();
        assert_eq!(code.len(), 19);
        assert_eq!(code.matches('-').count(), 3);
        assert_eq!(
            normalise_setup_code(&code.to_lowercase().replace('-', " ")),
            code.replace('-', "")
        );
    }

    #[tokio::test]
    async fn a_password_hash_is_argon2id_with_owasps_parameters_and_verifies() {
        let hash = hash_password("नदी किनारे घर".to_owned()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        let limiter = Limiter::default();
        assert!(
            verify_password(&limiter, "नदी किनारे घर".to_owned(), hash.clone())
                .await
                .unwrap()
        );
        assert!(
            !verify_password(&limiter, "wrong".to_owned(), hash)
                .await
                .unwrap()
        );
        assert!(
            !verify_password(&limiter, "x".to_owned(), "garbage".to_owned())
                .await
                .unwrap()
        );
        assert_eq!(limiter.argon2_runs(), 3);
    }
}
