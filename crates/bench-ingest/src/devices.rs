//! The simulated devices: each pushes its outbox batch after batch over its own connection, as
//! the app's sync client does, all at once; every answer is checked change by change.

use crate::workload::{DeviceWork, Push};
use anyhow::{Context, bail, ensure};
use reqwest::header::CONTENT_TYPE;
use sakhi_domain::wire::PushResponse;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// How long one push may take before the run fails: far beyond any healthy push.
const PUSH_LIMIT: Duration = Duration::from_secs(120);

/// What the devices measured.
pub struct Pushed {
    pub changes: usize,
    /// From the first push sent to the last answer read.
    pub wall: Duration,
    /// Each push, from sending it to having its answer read.
    pub latencies: Vec<Duration>,
}

/// Every device pushes all of its work to the server at `base_url`, concurrently, each with its
/// session's token (in the order of `devices`). Fails if any push fails or any change is not
/// accepted.
pub async fn push_all(
    base_url: &str,
    devices: Vec<DeviceWork>,
    tokens: Vec<String>,
) -> anyhow::Result<Pushed> {
    ensure!(tokens.len() == devices.len(), "one token per device");
    let url = format!("{base_url}/api/v1/sync/push");
    let changes = devices
        .iter()
        .flat_map(|device| &device.pushes)
        .map(|push| push.changes.len())
        .sum();
    // Each device its own client, hence its own connection, as separate phones have.
    let clients = devices
        .iter()
        .map(|_| reqwest::Client::builder().timeout(PUSH_LIMIT).build())
        .collect::<Result<Vec<_>, _>>()
        .context("Failed to make an HTTP client")?;
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for ((client, work), token) in clients.into_iter().zip(devices).zip(tokens) {
        tasks.spawn(push_device(client, url.clone(), work, token));
    }
    let mut latencies = Vec::new();
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done.context("A device's task failed")??);
    }
    let wall = started.elapsed();
    Ok(Pushed {
        changes,
        wall,
        latencies,
    })
}

async fn push_device(
    client: reqwest::Client,
    url: String,
    work: DeviceWork,
    token: String,
) -> anyhow::Result<Vec<Duration>> {
    let mut latencies = Vec::with_capacity(work.pushes.len());
    for (number, Push { body, changes }) in work.pushes.into_iter().enumerate() {
        let started = Instant::now();
        let response = client
            .post(&url)
            .bearer_auth(&token)
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .with_context(|| format!("Push {number} of device {} failed", work.device))?;
        let status = response.status();
        let answer = response
            .bytes()
            .await
            .with_context(|| format!("Failed to read the answer to push {number}"))?;
        if !status.is_success() {
            bail!(
                "Push {number} of device {} was answered {status}: {}",
                work.device,
                String::from_utf8_lossy(&answer)
            );
        }
        // Reading the answer is part of a push: the device cannot clear its outbox before it.
        let answer: PushResponse = serde_json::from_slice(&answer)
            .with_context(|| format!("The answer to push {number} is not a push response"))?;
        latencies.push(started.elapsed());
        check_all_accepted(&changes, &answer)
            .with_context(|| format!("Push {number} of device {}", work.device))?;
    }
    Ok(latencies)
}

/// A benchmark of refused changes would measure the wrong thing: every change must be accepted,
/// and the answer must add up to the changes sent.
fn check_all_accepted(
    sent: &[sakhi_domain::ChangeId],
    answer: &PushResponse,
) -> anyhow::Result<()> {
    ensure!(
        answer.accepted as usize + answer.refused.len() == sent.len(),
        "{} changes were sent but {} answered",
        sent.len(),
        answer.accepted as usize + answer.refused.len()
    );
    if let Some(refused) = answer.refused.first() {
        bail!(
            "change {} was refused ({}): {}",
            refused.change,
            refused.code,
            refused.reason
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sakhi_domain::wire::{ChangeResult, Outcome};
    use sakhi_domain::{ChangeId, Epoch};

    fn answer(outcomes: Vec<(ChangeId, Outcome)>) -> PushResponse {
        let results: Vec<ChangeResult> = outcomes
            .into_iter()
            .map(|(change, outcome)| ChangeResult { change, outcome })
            .collect();
        PushResponse::of(Epoch::new(), &results, None)
    }

    #[test]
    fn a_refused_or_missing_change_fails_the_run() {
        let ids = [ChangeId::new(), ChangeId::new()];
        let all = answer(ids.iter().map(|id| (*id, Outcome::Accepted)).collect());
        assert!(check_all_accepted(&ids, &all).is_ok());

        let refused = answer(vec![
            (ids[0], Outcome::Accepted),
            (
                ids[1],
                Outcome::Rejected {
                    code: "too_long".to_owned(),
                    reason: "description is longer than 4000 characters".to_owned(),
                },
            ),
        ]);
        let message = format!("{:#}", check_all_accepted(&ids, &refused).unwrap_err());
        assert!(message.contains("too_long"), "{message}");

        let short = answer(vec![(ids[0], Outcome::Accepted)]);
        assert!(check_all_accepted(&ids, &short).is_err());
    }
}
