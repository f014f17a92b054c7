//! Who works at the centre, as the server last said: to say who wrote a value under review, and
//! to assign a case. Kept sealed in her store, so it is there offline too.

use crate::api;
use crate::browser::is_online;
use crate::session::Unlocked;
use sakhi_domain::DeviceId;
use sakhi_domain::wire::account::Staff;

/// The sealed secret that holds the staff as last heard.
const STAFF: &str = "staff";

/// The centre's staff: from the server when it can be reached, else as kept; empty if never
/// heard.
pub async fn staff(unlocked: &Unlocked) -> Staff {
    if is_online()
        && let Ok(staff) = api::staff(&unlocked.store).await
    {
        if let Ok(text) = serde_json::to_string(&staff) {
            let _ = unlocked.store.set_secret(STAFF, &text).await;
        }
        return staff;
    }
    kept(unlocked).await
}

/// The centre's staff as last heard, without asking the server: for screens opened often, such
/// as the home screen, where a request each time would cost a phone on 2G.
pub async fn kept(unlocked: &Unlocked) -> Staff {
    let kept = unlocked.store.secret(STAFF).await.ok().flatten();
    kept.and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// The names of those who wrote from `device`: one, unless workers shared a login's phone.
pub fn writers(staff: &Staff, device: DeviceId) -> String {
    let names: Vec<&str> = staff
        .staff
        .iter()
        .filter(|member| member.devices.contains(&device))
        .map(|member| member.display_name.as_str())
        .collect();
    names.join(" / ")
}

/// The name of the account `id`, if the centre has it.
pub fn name_of<'a>(staff: &'a Staff, id: &str) -> Option<&'a str> {
    staff
        .staff
        .iter()
        .find(|member| member.id.to_string() == id)
        .map(|member| member.display_name.as_str())
}
