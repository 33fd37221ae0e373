//! The sample customers of the handbook policies (examples/key-accounts.json,
//! examples/distributor.json, examples/otc-pharma.json), each evaluated as one batch with its
//! policy as of 2026-11-23: no record fails, every grade of the policy's scale and every stage
//! of its pipeline is reached, and the label values and action kinds the data was written for
//! all appear — so `patron eval examples/NAME.json --policy policies/NAME` shows every rule.

use std::collections::{BTreeMap, BTreeSet};

use patron::model::parse_date;
use patron::{BatchItem, Customer, Engine, EvaluateOptions, Evaluation};

struct Run {
    customers: Vec<Customer>,
    evaluations: Vec<Evaluation>,
    scale: Vec<String>,
    pipeline: Vec<String>,
}

fn run(name: &str) -> Run {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{root}/examples/{name}.json")).unwrap();
    let customers: Vec<Customer> = patron::model::parse_customers(&text)
        .unwrap()
        .into_iter()
        .map(|r| r.result.unwrap())
        .collect();
    let engine = Engine::from_dir(format!("{root}/policies/{name}")).unwrap();
    let policy = engine.policy();
    let scale = policy.manifest().grades.scale.names().to_vec();
    let pipeline = policy.manifest().stages.pipeline.names().to_vec();
    let items = engine
        .evaluate_many(
            &text,
            parse_date("2026-11-23").unwrap(),
            &EvaluateOptions::default(),
        )
        .unwrap();
    assert_eq!(items.len(), customers.len());
    let evaluations = items
        .into_iter()
        .map(|item| match item {
            BatchItem::Evaluated(e) => *e,
            BatchItem::Failed {
                customer_id, error, ..
            } => panic!("{name}: {customer_id:?} failed: {}", error.message),
        })
        .collect();
    Run {
        customers,
        evaluations,
        scale,
        pipeline,
    }
}

impl Run {
    /// 30–40 customers, Chinese and English names, several owners, all three regions.
    fn assert_realistic(&self) {
        let n = self.customers.len();
        assert!((30..=40).contains(&n), "{n} customers");
        let owners: BTreeSet<_> = self
            .customers
            .iter()
            .filter_map(|c| c.owner.as_deref())
            .collect();
        assert!(owners.len() >= 3, "{owners:?}");
        let regions: BTreeSet<_> = self
            .customers
            .iter()
            .filter_map(|c| c.region.as_deref())
            .collect();
        assert_eq!(regions.len(), 3, "{regions:?}");
        let names: Vec<&str> = self
            .customers
            .iter()
            .filter_map(|c| c.name.as_deref())
            .collect();
        assert_eq!(names.len(), n);
        assert!(names
            .iter()
            .any(|n| n.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch))));
        assert!(names.iter().any(|n| n.is_ascii()));
    }

    fn grades(&self) -> Vec<String> {
        let reached: BTreeSet<&str> = self
            .evaluations
            .iter()
            .map(|e| e.grade.to.as_str())
            .collect();
        // In scale order, so the comparison with the scale is exact.
        self.scale
            .iter()
            .filter(|g| reached.contains(g.as_str()))
            .cloned()
            .collect()
    }

    fn stages(&self) -> Vec<String> {
        let reached: BTreeSet<&str> = self
            .evaluations
            .iter()
            .map(|e| e.stage.to.as_str())
            .collect();
        self.pipeline
            .iter()
            .filter(|s| reached.contains(s.as_str()))
            .cloned()
            .collect()
    }

    fn action_kinds(&self) -> BTreeSet<&str> {
        self.evaluations
            .iter()
            .flat_map(|e| e.actions.iter().map(|a| a.kind.as_str()))
            .collect()
    }

    fn label_values(&self, label: &str) -> BTreeSet<&str> {
        self.evaluations
            .iter()
            .filter_map(|e| e.labels.get(label).map(String::as_str))
            .collect()
    }

    fn label_names(&self) -> BTreeSet<&str> {
        self.evaluations
            .iter()
            .flat_map(|e| e.labels.keys().map(String::as_str))
            .collect()
    }

    fn by_id(&self) -> BTreeMap<&str, &Evaluation> {
        self.evaluations
            .iter()
            .map(|e| (e.customer_id.as_str(), e))
            .collect()
    }

    fn assert_every_grade_and_stage(&self) {
        assert_eq!(self.grades(), self.scale);
        assert_eq!(self.stages(), self.pipeline);
    }
}

fn set<'a>(items: &[&'a str]) -> BTreeSet<&'a str> {
    items.iter().copied().collect()
}

#[test]
fn key_accounts_examples_reach_every_class_label_and_action() {
    let run = run("key-accounts");
    run.assert_realistic();
    assert_eq!(run.scale, ["A", "B", "C"]);
    run.assert_every_grade_and_stage();
    assert_eq!(run.pipeline.len(), 7);

    assert_eq!(
        run.label_names(),
        set(&[
            "class",
            "distributor_role",
            "prospect_status",
            "served_by",
            "value_tier",
            "visit_step",
        ])
    );
    let values = [
        ("class", &["key", "potential", "regular"][..]),
        (
            "value_tier",
            &["important", "ordinary", "potential", "strategic"],
        ),
        ("prospect_status", &["intent", "potential", "signed"]),
        ("distributor_role", &["core", "general", "undetermined"]),
        (
            "served_by",
            &["account_manager", "key_account_team", "marketing", "sales"],
        ),
        (
            "visit_step",
            &["1_impression", "2_explore", "3_intent", "4_terms"],
        ),
    ];
    for (label, expected) in values {
        assert_eq!(run.label_values(label), set(expected), "{label}");
    }
    assert_eq!(
        run.action_kinds(),
        set(&[
            "birthday_care",
            "close_contract",
            "complaint_follow_up",
            "complete_archive",
            "negotiate_terms",
            "remove_obstacles",
            "resolve_problems",
            "retention_call",
            "risk_warning",
            "superior_visit",
        ])
    );

    // The classes match their definitions (handbook 001): a customer with a purchase or a
    // signed contract is never potential; one without, and without a record saying it
    // cooperates, is potential unless it is on the key-customer list.
    for (customer, e) in run.customers.iter().zip(&run.evaluations) {
        let bought = !customer.purchases.is_empty() || !customer.contracts.is_empty();
        let listed = customer.attributes.get("key_account") == Some(&serde_json::json!(true));
        let recorded = customer.stage.as_deref().is_some_and(|s| {
            run.pipeline.iter().position(|p| p == s)
                >= run.pipeline.iter().position(|p| p == "contract_signed")
        }) || (customer.stage.is_none()
            && matches!(customer.grade.as_deref(), Some("A" | "C")));
        if bought {
            assert_ne!(e.grade.to, "B", "{}: bought, yet potential", customer.id);
        } else if listed {
            assert_eq!(e.grade.to, "A", "{}", customer.id);
        } else if !recorded {
            assert_eq!(
                e.grade.to, "B",
                "{}: has not bought, yet not potential",
                customer.id
            );
        }
    }

    let by_id = run.by_id();
    // A target on the key-customer list is key before it buys.
    assert_eq!(by_id["KA-2110"].grade.to, "A");
    // A signed contract alone is cooperation: no longer potential.
    assert_eq!(by_id["KA-2002"].grade.to, "C");
    // Campaign participation unknown: the key customer stays key below the bar.
    assert_eq!(by_id["KA-2004"].grade.to, "A");
    assert!(by_id["KA-2004"].score.total < 80.0);
    // Known to be none: the same shortfall makes a key customer regular.
    assert_eq!(by_id["KA-2009"].grade.to, "C");
    // Nothing known: no parts, and the total is 0, not -0 (shown as "-0.00").
    let blank = by_id["KA-2203"];
    assert!(blank.score.parts.is_empty());
    assert!(blank.score.total == 0.0 && blank.score.total.is_sign_positive());
    // The need (an intent customer, an open complaint) raises the cadence to 2 and 2.
    for id in ["KA-2101", "KA-2202"] {
        assert_eq!(by_id[id].visits.calls_per_week, 2.0, "{id}");
        assert_eq!(by_id[id].visits.visits_per_month, 2.0, "{id}");
    }
}

#[test]
fn distributor_examples_reach_every_grade_label_and_action() {
    let run = run("distributor");
    run.assert_realistic();
    assert_eq!(run.scale, ["A1", "A2", "B1", "B2", "C"]);
    run.assert_every_grade_and_stage();

    assert_eq!(
        run.label_names(),
        set(&["plan_week", "prospect_class", "visit_time", "visited_by"])
    );
    assert_eq!(run.label_values("prospect_class"), set(&["A", "B", "C"]));
    assert_eq!(run.label_values("plan_week"), set(&["1", "2", "3"]));
    assert_eq!(run.label_values("visit_time"), set(&["morning"]));
    assert_eq!(
        run.label_values("visited_by"),
        set(&["account_manager", "chief_account_manager"])
    );
    // year_end_cards is the one action kind these examples cannot show: it is produced only
    // when the evaluation date is in December.
    assert_eq!(
        run.action_kinds(),
        set(&[
            "callback",
            "collection",
            "department_head_visit",
            "distributor_head_visit",
            "handle_complaint",
            "holiday_contact_department_head",
            "holiday_contact_senior_management",
            "payment_reminder",
            "visit_report",
        ])
    );

    let by_id = run.by_id();
    // A key-industry customer of class C is still visited by the chief account manager.
    let key_industry = by_id["D-3042"];
    assert_eq!(key_industry.grade.to, "C");
    assert_eq!(key_industry.labels["visited_by"], "chief_account_manager");
    // B and below that have bought are visited monthly, even elsewhere (D-3043); the region's
    // example applies where the grade gives no visit: a prospect elsewhere every six months.
    assert_eq!(by_id["D-3043"].visits.visits_per_month, 1.0);
    let elsewhere = by_id["D-3051"];
    assert!((elsewhere.visits.visits_per_month - 1.0 / 6.0).abs() < 1e-9);
    // An A1 whose credit score is unknown stays A1, and the reason says so (issue 14).
    let unknown_credit = by_id["D-3013"];
    assert_eq!(unknown_credit.grade.to, "A1");
    assert!(unknown_credit
        .grade
        .reason
        .contains("credit score unknown: the recorded level 1 (A1) stays"));
    // A grading input recorded as weak is evidence: B1 → B2.
    assert_eq!(by_id["D-3023"].grade.to, "B2");
}

#[test]
fn otc_pharma_examples_reach_every_class_category_and_action() {
    let run = run("otc-pharma");
    run.assert_realistic();
    assert_eq!(run.scale, ["A", "B", "C"]);
    run.assert_every_grade_and_stage();

    assert_eq!(
        run.label_names(),
        set(&[
            "collected_cum_share",
            "collected_rank",
            "expected_purchase_at",
            "follow_up",
            "objections",
            "prospect_category",
        ])
    );
    assert_eq!(
        run.label_values("follow_up"),
        set(&["conversion", "long_term", "service"])
    );
    assert_eq!(
        run.label_values("prospect_category"),
        set(&[
            "definitely_not",
            "hesitant",
            "interested",
            "not_soon",
            "quoted",
            "unclassified",
        ])
    );
    // holiday_greeting is the one action kind these examples cannot show: the nearest holiday
    // of the calendar (Spring Festival, 2027-02-06) is beyond its 14-day lookahead.
    assert_eq!(
        run.action_kinds(),
        set(&[
            "birthday_gift",
            "clarify_intent",
            "classify_prospect",
            "collection",
            "fast_track",
            "find_reason",
            "learn_birthday",
            "objection_consignment_terms",
            "objection_exclusive_agency",
            "objection_existing_vendor_contract",
            "objection_inflexible_policy",
            "objection_market_slump",
            "objection_no_money",
            "objection_past_failure",
            "objection_price",
            "objection_unlisted",
            "objection_vendor_relations",
            "pre_purchase_contact",
            "quote_follow_up",
            "record_expected_purchase_time",
            "send_product_information",
            "weekend_message",
        ])
    );

    // ABC by collected revenue over the whole batch: the collected revenue of A reaches half
    // of the total, that of A and B 85 %, and every paying customer's rank is out of the
    // batch's size; a customer that has paid nothing has no rank and is C.
    let n = run.customers.len();
    for e in &run.evaluations {
        match e.labels.get("collected_rank") {
            Some(rank) => assert!(rank.ends_with(&format!("/{n}")), "{}", e.customer_id),
            None => assert_eq!(e.grade.to, "C", "{}", e.customer_id),
        }
    }
    let share = |grades: &[&str]| -> f64 {
        run.evaluations
            .iter()
            .filter(|e| grades.contains(&e.grade.to.as_str()))
            .filter_map(|e| e.labels.get("collected_cum_share"))
            .map(|share| share.trim_end_matches('%').parse::<f64>().unwrap())
            .fold(0.0, f64::max)
    };
    assert!(share(&["A"]) >= 50.0);
    assert!(share(&["A", "B"]) >= 85.0);
    let by_id = run.by_id();
    // A lapsed customer (no purchase in the last 365 days) contributes nothing: C.
    assert_eq!(by_id["OTC-121"].grade.to, "C");
    assert_eq!(by_id["OTC-121"].labels["follow_up"], "service");
    // A customer that has paid nothing of the year's 179,760 is C, not ranked by its orders;
    // one with 539,950 of 981,120 still owed falls from A to B and is asked to pay what is due.
    assert_eq!(by_id["OTC-109"].grade.to, "C");
    assert!(by_id["OTC-109"].grade.reason.contains("nothing collected"));
    assert_eq!(by_id["OTC-102"].grade.to, "B");
    assert_eq!(
        by_id["OTC-102"]
            .actions
            .iter()
            .filter(|a| a.kind == "collection")
            .count(),
        2
    );
}
