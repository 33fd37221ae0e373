"""Calls `patron serve` from Python with `requests`: one customer, then a batch.
Usage: python3 python_client.py [BASE_URL] [TOKEN]   (default http://127.0.0.1:8080)"""
import sys
import requests

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
headers = {"Authorization": f"Bearer {sys.argv[2]}"} if len(sys.argv) > 2 else {}
customer = {"id": "C-1001", "grade": "C", "grade_since": "2026-06-01", "region": "same_city",
            "purchases": [{"at": "2026-05-02", "amount": 12000}, {"at": "2026-10-02", "amount": 8000}]}

one = requests.post(f"{base}/v1/evaluate", params={"as_of": "2026-11-23"}, json=customer, headers=headers)
one.raise_for_status()
e = one.json()
print(f"{e['customer_id']}: grade {e['grade']['from']} -> {e['grade']['to']}, "
      f"{e['visits']['calls_per_week']} calls/week, policy {e['policy']['hash'][:15]}")

batch = requests.post(f"{base}/v1/evaluate", params={"as_of": "2026-11-23"},
                      json=[customer, {"id": "C-1002", "grade": "Z"}], headers=headers)
for item in batch.json():  # one item per record, errors in place
    print(item["customer_id"], item["error"]["kind"] if "error" in item else item["grade"]["to"])
