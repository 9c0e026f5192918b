//! The fleet grouped by virtual service (`V`): each service once, its
//! active connections and connections per second summed over the
//! directors that have it, with each director's share: the same VIP on a
//! keepalived pair or an ECMP tier read as one.

use crate::fleet::DirectorName;
use crate::model::ServiceKey;
use crate::output::order::by_service_key;

use super::store::Store;

/// One director's part of a service: active connections and the kernel's
/// connections per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub active: u64,
    pub cps: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcrossRow {
    pub service: ServiceKey,
    pub total: Part,
    /// Each director in the fleet's order; None where it has no such service.
    pub each: Vec<(DirectorName, Option<Part>)>,
}

/// `part` of `total` in whole percent (0 of 0 is 0).
pub fn share(part: u64, total: u64) -> u64 {
    (part * 100 + total / 2).checked_div(total).unwrap_or(0)
}

/// Every service of any director, in ipvsadm's order, summed.
pub fn across(stores: &[(&DirectorName, &Store)]) -> Vec<AcrossRow> {
    let mut keys: Vec<ServiceKey> = stores
        .iter()
        .flat_map(|(_, s)| s.services().iter().map(|r| r.service().key))
        .collect();
    keys.sort_by(by_service_key);
    keys.dedup();
    keys.into_iter()
        .map(|service| {
            let each: Vec<(DirectorName, Option<Part>)> = stores
                .iter()
                .map(|(name, store)| {
                    let part = store.service(&service).map(|row| Part {
                        active: row.active(),
                        cps: row.service().stats.cps,
                    });
                    ((*name).clone(), part)
                })
                .collect();
            let total =
                each.iter()
                    .filter_map(|(_, p)| *p)
                    .fold(Part { active: 0, cps: 0 }, |a, p| Part {
                        active: a.active + p.active,
                        cps: a.cps + p.cps,
                    });
            AcrossRow {
                service,
                total,
                each,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::test_polls::{app, poll};
    use crate::testkit::FakeTable;

    #[test]
    fn a_service_on_a_pair_is_one_row_summed_with_each_share() {
        let table = FakeTable::sample();
        let mut a = app();
        a.apply(poll(&table, 1));
        let mut less = table.clone();
        less.services.remove(0);
        let mut b = app();
        b.apply(poll(&less, 1));
        let (n1, n2) = (DirectorName::new("lb1"), DirectorName::new("lb2"));
        let rows = across(&[(&n1, a.store()), (&n2, b.store())]);
        assert_eq!(rows.len(), table.services.len());
        let first = table.services[0].0.key;
        let row = rows.iter().find(|r| r.service == first).unwrap();
        let on_a = a.store().service(&first).unwrap().active();
        assert_eq!(row.total.active, on_a);
        assert_eq!(row.each[1], (n2.clone(), None));
        let second = table.services[1].0.key;
        let row = rows.iter().find(|r| r.service == second).unwrap();
        let one = a.store().service(&second).unwrap().active();
        assert_eq!(row.total.active, 2 * one);
        assert_eq!(share(one, row.total.active), if one == 0 { 0 } else { 50 });
    }

    #[test]
    fn shares_round_to_whole_percent() {
        assert_eq!(share(1, 3), 33);
        assert_eq!(share(2, 3), 67);
        assert_eq!(share(0, 0), 0);
    }
}
