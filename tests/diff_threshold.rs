//! `diff` between the default policy and a copy with one threshold changed reports exactly
//! the customers whose grade moves — verified by evaluating each customer with both policies
//! separately.

mod common;

use std::collections::BTreeMap;

use common::{as_of, default_file_with, policy_dir};
use patron::diff::impact;
use patron::{Customer, Engine, Policy};

/// New records (no grade yet) that bought six times but are out of close contact (the last
/// purchase 120 days before, no contact): the evidence allows B–D and the score, spread over
/// 20–70 by revenue and credit, decides between them.
fn customers() -> Vec<Customer> {
    (0..60)
        .map(|i| {
            let purchases: Vec<String> = ["02-01", "03-01", "04-01", "05-01", "06-01", "07-26"]
                .iter()
                .map(|day| format!(r#"{{ "at": "2026-{day}", "amount": {} }}"#, i * 3_000))
                .collect();
            let json = format!(
                r#"{{ "id": "T-{i:02}", "attributes": {{ "credit_score": {} }},
                     "purchases": [ {} ] }}"#,
                (i * 7) % 101,
                purchases.join(", ")
            );
            serde_json::from_str(&json).unwrap()
        })
        .collect()
}

#[test]
fn diff_reports_exactly_the_customers_whose_grade_moves() {
    // One threshold: B from 70 down to 60.
    let manifest = default_file_with("policy.toml", "B = 70", "B = 60");
    let candidate_dir = policy_dir("threshold", &[("policy.toml", Some(&manifest))]);
    let base = Policy::embedded_default().unwrap();
    let candidate = Policy::load(&candidate_dir).unwrap();
    let customers = customers();
    let report = impact(&base, &candidate, &customers, as_of());

    // Independently: each customer alone, with each policy.
    let base_engine = Engine::with_default_policy().unwrap();
    let candidate_engine = Engine::from_dir(&candidate_dir).unwrap();
    let mut movers: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for customer in &customers {
        let before = base_engine.evaluate(customer, as_of()).unwrap().grade.to;
        let after = candidate_engine
            .evaluate(customer, as_of())
            .unwrap()
            .grade
            .to;
        if before != after {
            movers
                .entry((before, after))
                .or_default()
                .push(customer.id.clone());
        }
    }
    assert!(!movers.is_empty(), "the threshold change must move someone");
    let moved: usize = movers.values().map(Vec::len).sum();
    assert_eq!(report.grades_changed, moved);
    for cell in report.grade_matrix.iter().filter(|c| c.from != c.to) {
        let ids = &movers[&(cell.from.clone(), cell.to.clone())];
        assert_eq!(cell.count, ids.len(), "{} → {}", cell.from, cell.to);
        assert!(
            cell.examples.iter().all(|e| ids.contains(e)),
            "{:?} ⊄ {ids:?}",
            cell.examples
        );
        assert_eq!(cell.examples.len(), ids.len().min(3));
    }
    // Only C → B can move when B's threshold drops from 70 to 60.
    assert_eq!(
        movers.keys().collect::<Vec<_>>(),
        vec![&("C".to_string(), "B".to_string())]
    );
}
