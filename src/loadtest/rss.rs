//! Peak resident memory (`VmHWM`) of a process, from Linux's `/proc`.

/// Which process to measure: this one (the in-process server) or a server
/// started elsewhere.
#[derive(Debug, Clone, Copy)]
pub enum Process {
    This,
    Pid(u32),
}

impl Process {
    fn proc_dir(self) -> String {
        match self {
            Process::This => "/proc/self".to_owned(),
            Process::Pid(pid) => format!("/proc/{pid}"),
        }
    }

    /// The high-water mark of resident memory in KiB, if `/proc` says.
    pub fn peak_rss_kib(self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("{}/status", self.proc_dir())).ok()?;
        parse_vm_hwm(&status)
    }

    /// Starts a new high-water mark, so set-up (seeding a million tasks)
    /// does not hide the peak of the load itself. Writing 5 to
    /// `clear_refs` does exactly this; it is best effort.
    pub fn reset_peak(self) -> bool {
        std::fs::write(format!("{}/clear_refs", self.proc_dir()), "5").is_ok()
    }
}

fn parse_vm_hwm(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_high_water_mark_is_read_in_kib() {
        let status = "Name:\ttessera\nVmPeak:\t  900 kB\nVmHWM:\t   123456 kB\nVmRSS:\t 100 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(123_456));
        assert_eq!(parse_vm_hwm("Name: x\n"), None);
    }

    #[test]
    fn this_process_has_a_peak() {
        assert!(Process::This.peak_rss_kib().is_some_and(|kib| kib > 0));
    }
}
