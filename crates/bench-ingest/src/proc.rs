//! What Linux's `/proc` says about a process: its peak resident memory and the CPU time it used.

use anyhow::Context;

/// Clock ticks per second in `/proc/…/stat`: `USER_HZ`, which Linux fixes at 100 for user space.
const TICKS_PER_SECOND: f64 = 100.0;

/// Peak resident memory (`VmHWM`) of process `pid` (or `self`), in KiB.
pub fn peak_memory_kib(pid: &str) -> anyhow::Result<u64> {
    let file = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&file)
        .with_context(|| format!("Failed to read {file}: is this Linux?"))?;
    parse_vm_hwm(&status).with_context(|| format!("{file} has no readable VmHWM line"))
}

/// CPU time, user and system, of all threads of process `pid` (or `self`), in seconds.
pub fn cpu_seconds(pid: &str) -> anyhow::Result<f64> {
    let file = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&file)
        .with_context(|| format!("Failed to read {file}: is this Linux?"))?;
    parse_cpu_ticks(&stat)
        .map(|ticks| ticks as f64 / TICKS_PER_SECOND)
        .with_context(|| format!("{file} has no readable CPU times"))
}

fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let mut words = line["VmHWM:".len()..].split_whitespace();
    let number = words.next()?.parse().ok()?;
    (words.next() == Some("kB")).then_some(number)
}

/// `utime` + `stime`, fields 14 and 15, counted after the command name, which is in parentheses
/// and may itself hold spaces and parentheses.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_resident_memory_is_read_from_the_status_file_in_kib() {
        let status =
            "Name:\tsakhi-server\nVmPeak:\t  900000 kB\nVmHWM:\t   41236 kB\nVmRSS:\t   40000 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(41_236));
        assert_eq!(parse_vm_hwm("Name:\tx\n"), None);
        assert!(peak_memory_kib("self").unwrap() > 0);
    }

    #[test]
    fn cpu_time_is_user_plus_system_ticks_even_when_the_name_has_spaces() {
        let stat =
            "4242 (tokio (rt) 1) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 31 0 0 20 0 9 0 1000 1 1";
        assert_eq!(parse_cpu_ticks(stat), Some(281));
        assert!(cpu_seconds("self").unwrap() >= 0.0);
    }
}
