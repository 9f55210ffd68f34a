//! Clustering scored pairs into people without chaining weak links into giant clusters.
//!
//! Plain connected components (what most tools do) let one wrong link join two families. Here
//! links are taken strongest first and two clusters join only when they hold together: no pair
//! already scored between them says "different person" (probability below `cannot_link`), and
//! the pairs scored between them agree on average. A cluster whose members do not hold together
//! is therefore never formed, which is the same as splitting it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClusterOptions {
    /// Pairs at or above this probability are links.
    pub threshold: f64,
    /// A scored pair below this probability forbids its two records from sharing a cluster.
    pub cannot_link: f64,
    /// Two clusters join only if the mean probability of the pairs scored between them reaches this.
    pub min_mean_link: f64,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            threshold: 0.9,
            cannot_link: 0.01,
            min_mean_link: 0.5,
        }
    }
}

/// One scored candidate pair (record indices, `left < right`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoredPair {
    pub left: u32,
    pub right: u32,
    pub probability: f32,
}

/// Cluster id per record: the smallest record index in the cluster.
pub fn cluster(n: usize, pairs: &[ScoredPair], options: ClusterOptions) -> Vec<u32> {
    // Adjacency over every scored pair: the evidence for and against each merge.
    let mut degree = vec![0u32; n + 1];
    for p in pairs {
        degree[p.left as usize] += 1;
        degree[p.right as usize] += 1;
    }
    let mut offsets = vec![0usize; n + 1];
    for i in 0..n {
        offsets[i + 1] = offsets[i] + degree[i] as usize;
    }
    let mut fill = offsets.clone();
    let mut adjacency = vec![(0u32, 0f32); offsets[n]];
    for p in pairs {
        adjacency[fill[p.left as usize]] = (p.right, p.probability);
        fill[p.left as usize] += 1;
        adjacency[fill[p.right as usize]] = (p.left, p.probability);
        fill[p.right as usize] += 1;
    }
    let neighbours = |i: usize| &adjacency[offsets[i]..offsets[i + 1]];

    let mut links: Vec<&ScoredPair> = pairs
        .iter()
        .filter(|p| p.probability as f64 >= options.threshold)
        .collect();
    links.sort_by(|a, b| {
        b.probability
            .total_cmp(&a.probability)
            .then((a.left, a.right).cmp(&(b.left, b.right)))
    });

    let mut owner: Vec<u32> = (0..n as u32).collect();
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    for link in links {
        let (a, b) = (owner[link.left as usize], owner[link.right as usize]);
        if a == b {
            continue;
        }
        let (small, large) = if members[a as usize].len() <= members[b as usize].len() {
            (a, b)
        } else {
            (b, a)
        };
        let mut sum = 0f64;
        let mut count = 0usize;
        let mut forbidden = false;
        for &x in &members[small as usize] {
            for &(y, p) in neighbours(x as usize) {
                if owner[y as usize] == large {
                    if (p as f64) < options.cannot_link {
                        forbidden = true;
                        break;
                    }
                    sum += p as f64;
                    count += 1;
                }
            }
            if forbidden {
                break;
            }
        }
        if forbidden || (count > 0 && sum / (count as f64) < options.min_mean_link) {
            continue;
        }
        let moved = std::mem::take(&mut members[small as usize]);
        for &x in &moved {
            owner[x as usize] = large;
        }
        members[large as usize].extend(moved);
    }
    // Stable ids: the smallest member index of each cluster.
    let mut id = vec![u32::MAX; n];
    for list in &members {
        if let Some(&min) = list.iter().min() {
            for &x in list {
                id[x as usize] = min;
            }
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(left: u32, right: u32, probability: f32) -> ScoredPair {
        ScoredPair {
            left,
            right,
            probability,
        }
    }

    #[test]
    fn strong_links_form_clusters() {
        let ids = cluster(
            4,
            &[pair(0, 1, 0.99), pair(2, 3, 0.95), pair(1, 2, 0.2)],
            ClusterOptions::default(),
        );
        assert_eq!(ids, vec![0, 0, 2, 2]);
    }

    #[test]
    fn a_weak_chain_does_not_join_two_people() {
        // 0-1 and 1-2 are links, but 0 and 2 were compared and are clearly different people
        // (a parent and child sharing a phone): 2 must not join 0's cluster through 1.
        let pairs = [pair(0, 1, 0.99), pair(1, 2, 0.92), pair(0, 2, 0.001)];
        let ids = cluster(3, &pairs, ClusterOptions::default());
        assert_eq!(ids[0], ids[1]);
        assert_ne!(ids[1], ids[2]);
    }

    #[test]
    fn clusters_join_only_when_they_hold_together_on_average() {
        // Two clusters {0,1} and {2,3} joined by one link 1-2 while the other cross pairs disagree.
        let pairs = [
            pair(0, 1, 0.99),
            pair(2, 3, 0.99),
            pair(1, 2, 0.91),
            pair(0, 2, 0.05),
            pair(0, 3, 0.05),
            pair(1, 3, 0.1),
        ];
        let ids = cluster(4, &pairs, ClusterOptions::default());
        assert_ne!(ids[0], ids[3]);
        let loose = ClusterOptions {
            min_mean_link: 0.0,
            cannot_link: 0.0,
            ..ClusterOptions::default()
        };
        let ids = cluster(4, &pairs, loose);
        assert_eq!(
            ids,
            vec![0; 4],
            "connected components when the guards are off"
        );
    }

    #[test]
    fn no_pairs_means_singletons() {
        assert_eq!(cluster(3, &[], ClusterOptions::default()), vec![0, 1, 2]);
    }

    proptest::proptest! {
        #[test]
        fn every_record_gets_the_smallest_index_of_its_cluster(
            edges in proptest::collection::vec((0u32..20, 0u32..20, 0f32..1f32), 0..60)
        ) {
            let pairs: Vec<ScoredPair> = edges.into_iter().filter(|(a, b, _)| a < b).map(|(a, b, p)| pair(a, b, p)).collect();
            let ids = cluster(20, &pairs, ClusterOptions::default());
            for (i, &id) in ids.iter().enumerate() {
                proptest::prop_assert!(id as usize <= i);
                proptest::prop_assert_eq!(ids[id as usize], id);
            }
            // No two records in one cluster were scored below cannot_link.
            for p in &pairs {
                if (p.probability as f64) < ClusterOptions::default().cannot_link {
                    proptest::prop_assert_ne!(ids[p.left as usize], ids[p.right as usize]);
                }
            }
        }
    }
}
