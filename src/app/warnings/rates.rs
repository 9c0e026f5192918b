//! Rates on screen while the kernel's estimator is stopped.

use crate::model::{Setting, VsSettings};

use super::Warning;

/// The warnings for showing rates under `settings`.
pub fn on_rates(settings: &VsSettings) -> Vec<Warning> {
    if settings.run_estimation != Some(0) {
        return Vec::new();
    }
    vec![Warning {
        settings: &[Setting::RunEstimation],
        happens: "Rates read 0 and counters stand still: the kernel's estimator is stopped \
                  (run_estimation=0)."
            .to_string(),
        would: "run_estimation=1 would restart it (its first estimate after is not accurate)."
            .to_string(),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_estimation_0_warns_and_1_does_not() {
        let mut s = VsSettings::kernel_defaults();
        assert!(on_rates(&s).is_empty());
        s.run_estimation = Some(0);
        let found = on_rates(&s);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].settings, &[Setting::RunEstimation]);
        assert!(found[0]
            .to_string()
            .contains("run_estimation=1 would restart it"));
    }
}
