//! ABC by contribution to collected revenue (handbook 003, `policies/otc-pharma`) on a
//! 200-customer portfolio, checked against cumulative shares recomputed here independently of
//! the engine: collected revenue is the year's orders less what is still owed (never below
//! zero); A is the smallest group of top customers whose collected revenue reaches 50% (the
//! customer crossing the line included), B continues to 85%, C is the rest and everyone who
//! has paid nothing.
// @covers otc-pharma:class.abc_a, otc-pharma:class.abc_b, otc-pharma:class.abc_c

use patron::model::parse_date;
use patron::{Customer, Engine};

/// 200 customers with deterministic, uneven revenues (some with none), all purchases inside
/// the year before 2026-11-23; every third one that bought still owes part, all or more than
/// all of it. Each comes with its collected revenue.
fn portfolio() -> Vec<(String, f64, Customer)> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..200)
        .map(|i| {
            let id = format!("P-{i:03}");
            let orders = next() % 4; // 0–3 orders, a quarter have none
            let mut purchases = Vec::new();
            let mut revenue = 0.0;
            for k in 0..orders {
                // Skewed amounts: a few large customers, many small ones.
                let amount = ((next() % 1000) as f64).powi(2) / 10.0 + 1.0;
                revenue += amount;
                purchases.push(format!(r#"{{ "at": "2026-0{}-15", "amount": {amount} }}"#, 3 + k));
            }
            // Owes 0, 50 %, 100 % or 150 % of its revenue (the last an older debt as well).
            let owed = if i % 3 == 0 {
                revenue * [0.0, 0.5, 1.0, 1.5][(next() % 4) as usize]
            } else {
                0.0
            };
            let json = format!(
                r#"{{ "id": "{id}", "owner": "rep-{}", "region": "same_city", "purchases": [{}],
                      "receivables": [ {{ "due": "2026-12-01", "amount": {owed} }},
                                       {{ "due": "2026-06-01", "amount": 999, "paid": true }} ] }}"#,
                i % 5,
                purchases.join(",")
            );
            let collected = (revenue - owed).max(0.0);
            (id, collected, serde_json::from_str(&json).unwrap())
        })
        .collect()
}

#[test]
fn abc_classes_follow_the_cumulative_collected_revenue_share() {
    let portfolio = portfolio();
    let engine =
        Engine::from_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/otc-pharma")).unwrap();
    let customers: Vec<Customer> = portfolio.iter().map(|(_, _, c)| c.clone()).collect();
    let results = engine.evaluate_many(
        &customers,
        parse_date("2026-11-23").unwrap(),
        &patron::EvaluateOptions::default(),
    );

    // Independently: rank by collected revenue (highest first, ties by id), share of those
    // ranked above.
    let total: f64 = portfolio.iter().map(|(_, r, _)| r).sum();
    let mut ranked: Vec<(&str, f64)> = portfolio
        .iter()
        .map(|(id, r, _)| (id.as_str(), *r))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let mut expected = std::collections::BTreeMap::new();
    let mut above = 0.0;
    for (id, revenue) in &ranked {
        let before = above / total;
        let class = if *revenue <= 0.0 {
            "C"
        } else if before < 0.5 - 1e-9 {
            "A"
        } else if before < 0.85 - 1e-9 {
            "B"
        } else {
            "C"
        };
        expected.insert(id.to_string(), class);
        above += revenue;
    }

    let mut a_revenue = 0.0;
    let mut counts = [0usize; 3];
    for ((id, revenue, _), result) in portfolio.iter().zip(&results) {
        let evaluation = result.as_ref().unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(
            evaluation.grade.to, expected[id],
            "{id}: {}",
            evaluation.grade.reason
        );
        let index = ["A", "B", "C"]
            .iter()
            .position(|g| *g == evaluation.grade.to)
            .unwrap();
        counts[index] += 1;
        if evaluation.grade.to == "A" {
            a_revenue += revenue;
        }
    }
    // The A customers make up at least half of collected revenue, and are a minority of
    // customers.
    assert!(a_revenue / total >= 0.5, "A makes {}", a_revenue / total);
    assert!(
        counts[0] > 0 && counts[1] > 0 && counts[2] > 0,
        "{counts:?}"
    );
    assert!(counts[0] < counts[2], "{counts:?}");
}
