#!/usr/bin/env python3
"""Writes N customers as JSON Lines, deterministically, for `patron eval` at scale.

    python3 benches/gen_customers.py 1000000 > target/customers-1m.jsonl
    python3 benches/gen_customers.py 1000 --seed 7 --garbage 0.01 -o small.jsonl

The records have the shape of examples/customers.json: owners (50 reps), grades A-F (some
none), stages, regions, attributes, a prospect block for some, and histories as of
2026-11-23 -- 0 to 20 purchases, 0 to 50 interactions (calls, visits, e-mails, meetings,
quotes), complaints, receivables (paid, due, overdue) and contracts. The same arguments
always give the same bytes (a generator of our own, not `random`, whose algorithms may
change between Python versions). Only the standard library is used.
"""

import argparse
import datetime
import json
import sys

GRADES = ["A", "B", "C", "D", "E", "F"]
STAGES = [
    "market_research",
    "prospecting",
    "contact",
    "needs_confirmation",
    "negotiation",
    "contract_signed",
    "converted",
]
REGIONS = ["same_city", "same_city", "same_province", "other"]
INDUSTRIES = ["pharmacy", "distributor", "chain_store", "hospital", "clinic", "wholesaler"]
KINDS = ["call", "call", "call", "visit", "visit", "email", "meeting", "quote"]
OUTCOMES = {
    "call": ["ok", "ok", "no_answer", "left_message", "order_discussed", "payment_promised"],
    "visit": ["ok", "ok", "order_placed", "complaint_raised"],
    "email": ["ok", "promo_sent"],
    "meeting": ["ok", "quarterly_review", "contract_signed"],
    "quote": ["quote_sent"],
}
INTENTS = ["interested", "hesitant", "not_soon", "definitely_not", "quoted"]
OBJECTIONS = ["price", "no_money", "inflexible_policy", "consignment_terms"]
AS_OF = datetime.date(2026, 11, 23)
# Histories reach two years back.
SPAN_DAYS = 730
# Every date of the span as text, computed once (formatting dates dominates otherwise).
DATES = [(AS_OF - datetime.timedelta(days=d)).isoformat() for d in range(SPAN_DAYS + 120)]


class Rng:
    """xorshift64*: small, fast enough, and the same on every Python."""

    def __init__(self, seed):
        self.state = (seed * 0x9E3779B97F4A7C15 + 1) & 0xFFFFFFFFFFFFFFFF or 1

    def next(self, below):
        x = self.state
        x ^= x >> 12
        x ^= (x << 25) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 27
        self.state = x
        return (((x * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF) >> 11) % below

    def pick(self, items):
        return items[self.next(len(items))]

    def chance(self, percent):
        return self.next(100) < percent


def days_ago(rng, most):
    return DATES[rng.next(most)]


def customer(rng, i):
    # Bigger accounts buy more often and more.
    size = rng.next(100)
    parts = ['{"id":"C-%07d","name":"Customer %d"' % (i, i)]
    if not rng.chance(4):
        parts.append(',"owner":"rep-%03d"' % (rng.next(50) + 1))
    if not rng.chance(10):
        parts.append(',"grade":"%s","grade_since":"%s"' % (rng.pick(GRADES), days_ago(rng, SPAN_DAYS)))
    if not rng.chance(10):
        parts.append(',"stage":"%s"' % rng.pick(STAGES))
    if not rng.chance(3):
        parts.append(',"region":"%s"' % rng.pick(REGIONS))
    parts.append(
        ',"attributes":{"credit_score":%d,"industry":"%s"}'
        % (50 + rng.next(50), rng.pick(INDUSTRIES))
    )
    if rng.chance(30):
        prospect = {
            "money": rng.chance(70),
            "authority": rng.chance(60),
            "need": rng.chance(70),
            "intent": rng.pick(INTENTS),
        }
        if rng.chance(30):
            prospect["expected_purchase_at"] = (AS_OF + datetime.timedelta(days=rng.next(120))).isoformat()
        if rng.chance(40):
            prospect["objections"] = [rng.pick(OBJECTIONS)]
        parts.append(',"prospect":' + json.dumps(prospect, separators=(",", ":")))

    n_purchases = rng.next(21)
    if n_purchases:
        scale = 100 + size * size * 20
        purchases = ",".join(
            '{"at":"%s","amount":%d.%02d}'
            % (days_ago(rng, SPAN_DAYS), scale + rng.next(scale), rng.next(100))
            for _ in range(n_purchases)
        )
        parts.append(',"purchases":[' + purchases + "]")

    n_interactions = rng.next(51)
    if n_interactions:
        items = []
        for _ in range(n_interactions):
            kind = rng.pick(KINDS)
            items.append(
                '{"at":"%s","kind":"%s","outcome":"%s"}'
                % (days_ago(rng, SPAN_DAYS), kind, rng.pick(OUTCOMES[kind]))
            )
        parts.append(',"interactions":[' + ",".join(items) + "]")

    if rng.chance(15):
        complaints = ",".join(
            '{"at":"%s","resolved":%s}' % (days_ago(rng, SPAN_DAYS), "true" if rng.chance(70) else "false")
            for _ in range(rng.next(3) + 1)
        )
        parts.append(',"complaints":[' + complaints + "]")

    if rng.chance(35):
        receivables = []
        for _ in range(rng.next(4) + 1):
            # Due from 60 days ago to 60 days ahead.
            due = (AS_OF + datetime.timedelta(days=rng.next(121) - 60)).isoformat()
            receivables.append(
                '{"due":"%s","amount":%d.00,"paid":%s}'
                % (due, 500 + rng.next(50000), "true" if rng.chance(50) else "false")
            )
        parts.append(',"receivables":[' + ",".join(receivables) + "]")

    if rng.chance(8):
        parts.append(
            ',"contracts":[{"signed_at":"%s","amount":%d.0}]'
            % (days_ago(rng, SPAN_DAYS), 10000 + rng.next(900000))
        )
    parts.append("}")
    return "".join(parts)


GARBAGE = ["not a record", '{"id":"broken",', "[1,2,3]", '{"id":"X","grade":"Z"}']


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="customers to write")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument(
        "--garbage",
        type=float,
        default=0.0,
        help="fraction of lines replaced by records that fail (default 0)",
    )
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    args = parser.parse_args()

    rng = Rng(args.seed)
    garbage_per_million = int(args.garbage * 1_000_000)
    out = open(args.output, "w", encoding="utf-8", newline="\n") if args.output else sys.stdout
    batch = []
    for i in range(1, args.count + 1):
        if garbage_per_million and rng.next(1_000_000) < garbage_per_million:
            batch.append(rng.pick(GARBAGE))
        else:
            batch.append(customer(rng, i))
        if len(batch) == 10_000:
            out.write("\n".join(batch) + "\n")
            batch = []
    if batch:
        out.write("\n".join(batch) + "\n")
    out.flush()
    if args.output:
        out.close()


if __name__ == "__main__":
    main()
