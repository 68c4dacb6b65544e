//! Small-number suppression for reports that count people, so that a
//! researcher cannot single out the one pharmacist who took part (and, with
//! the per-contributor accuracy in the batch report, how well they did).
//!
//! Primary suppression hides every group of fewer than [`SMALLEST_SHOWN`]
//! people. Because the totals are published, a single hidden group could be
//! recovered as "total minus the rest"; secondary suppression then also
//! hides the next smallest group, so at least two are hidden whenever any
//! is. Totals are themselves hidden when they are below the threshold.

/// The smallest number of people a report shows.
pub const SMALLEST_SHOWN: u64 = 5;

/// One group's counts before suppression.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupCount<G> {
    pub group: G,
    pub people: u64,
    pub answers: u64,
}

/// One group as a report may show it: `None` means "fewer than
/// [`SMALLEST_SHOWN`], or hidden so that another such group stays hidden".
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosed<G> {
    pub group: G,
    pub people: Option<u64>,
    pub answers: Option<u64>,
}

/// The groups and totals a report may show.
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosure<G> {
    pub groups: Vec<Disclosed<G>>,
    pub people: Option<u64>,
    pub answers: Option<u64>,
}

/// Applies primary and secondary suppression. Groups keep their order.
pub fn disclose<G>(groups: Vec<GroupCount<G>>) -> Disclosure<G> {
    let people: u64 = groups.iter().map(|g| g.people).sum();
    let answers: u64 = groups.iter().map(|g| g.answers).sum();
    let small = |g: &GroupCount<G>| g.people < SMALLEST_SHOWN;
    let mut hidden: Vec<bool> = groups.iter().map(small).collect();
    if hidden.iter().filter(|&&h| h).count() == 1 {
        let next = groups
            .iter()
            .enumerate()
            .filter(|(i, _)| !hidden[*i])
            .min_by_key(|(_, g)| (g.people, g.answers))
            .map(|(i, _)| i);
        if let Some(i) = next {
            hidden[i] = true;
        }
    }
    let totals_shown = people >= SMALLEST_SHOWN;
    Disclosure {
        groups: groups
            .into_iter()
            .zip(hidden)
            .map(|(g, hide)| Disclosed {
                people: (!hide).then_some(g.people),
                answers: (!hide).then_some(g.answers),
                group: g.group,
            })
            .collect(),
        people: totals_shown.then_some(people),
        answers: totals_shown.then_some(answers),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &'static str, people: u64) -> GroupCount<&'static str> {
        GroupCount {
            group: name,
            people,
            answers: people * 10,
        }
    }

    fn shown(disclosure: &Disclosure<&'static str>) -> Vec<(&'static str, Option<u64>)> {
        disclosure
            .groups
            .iter()
            .map(|g| (g.group, g.people))
            .collect()
    }

    #[test]
    fn large_groups_are_shown_with_their_totals() {
        let d = disclose(vec![group("nursing", 40), group("medical", 12)]);
        assert_eq!(shown(&d), [("nursing", Some(40)), ("medical", Some(12))]);
        assert_eq!((d.people, d.answers), (Some(52), Some(520)));
    }

    #[test]
    fn one_small_group_takes_the_next_smallest_with_it() {
        let d = disclose(vec![
            group("nursing", 40),
            group("pharmacy", 1),
            group("medical", 12),
        ]);
        // Total 53 minus 40 would otherwise reveal the one pharmacist.
        assert_eq!(
            shown(&d),
            [("nursing", Some(40)), ("pharmacy", None), ("medical", None)]
        );
        assert_eq!(d.groups[1].answers, None);
        assert_eq!(d.people, Some(53));
    }

    #[test]
    fn two_small_groups_hide_each_other() {
        let d = disclose(vec![
            group("nursing", 40),
            group("pharmacy", 2),
            group("medical", 4),
        ]);
        assert_eq!(
            shown(&d),
            [("nursing", Some(40)), ("pharmacy", None), ("medical", None)]
        );
    }

    #[test]
    fn a_handful_of_people_shows_nothing_at_all() {
        let d = disclose(vec![group("nursing", 3)]);
        assert_eq!(shown(&d), [("nursing", None)]);
        assert_eq!((d.people, d.answers), (None, None));
        let exactly = disclose(vec![group("nursing", 5)]);
        assert_eq!(shown(&exactly), [("nursing", Some(5))]);
    }

    #[test]
    fn no_single_hidden_group_can_be_recovered_from_the_totals() {
        for sizes in [[1, 9, 30], [4, 5, 6], [2, 2, 50], [7, 3, 100]] {
            let groups = sizes.iter().map(|&n| group("g", n)).collect::<Vec<_>>();
            let d = disclose(groups);
            let hidden = d.groups.iter().filter(|g| g.people.is_none()).count();
            assert_ne!(hidden, 1, "{sizes:?}");
            for (g, &n) in d.groups.iter().zip(&sizes) {
                if n < SMALLEST_SHOWN {
                    assert_eq!(g.people, None, "{sizes:?}");
                }
            }
        }
    }
}
