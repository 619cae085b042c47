#!/usr/bin/env python3
"""Adds purchase orders to a simdesk SQLite database with the demo data, for benchmarks.

    scripts/bulk_orders.py DATABASE_FILE [COUNT]

Writes COUNT (default 100,000) orders of Hafenlogistik GmbH (Nordwind Mobile), one line each,
in a spread of statuses and ages, straight into the tables: the benchmark is about reading
them. Uses only Python's standard library.
"""
import datetime
import sqlite3
import sys

STATUSES = ["submitted", "accepted", "ready", "shipped", "closed", "closed", "closed",
            "rejected", "draft", "cancelled"]


def main() -> None:
    path = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    db = sqlite3.connect(path, timeout=30)
    tenant_id, account_id = db.execute(
        "SELECT tenant_id, id FROM account WHERE customer_number = 'NW-1001'").fetchone()
    user_id = db.execute(
        "SELECT id FROM app_user WHERE email = 'purchaser@hafenlogistik.example'").fetchone()[0]
    product_id = db.execute(
        "SELECT id FROM product WHERE tenant_id = ? AND part_number = 'NORDWIND-IOT-4FF'",
        (tenant_id,)).fetchone()[0]
    now = datetime.datetime.now(datetime.timezone.utc)
    first_number = 5_000_000
    with db:
        for i in range(count):
            status = STATUSES[i % len(STATUSES)]
            created = (now - datetime.timedelta(minutes=count - i)).isoformat()
            cursor = db.execute(
                "INSERT INTO purchase_order (tenant_id, account_id, status, po_number, source,"
                " created_by, ship_recipient, ship_street, ship_postal_code, ship_city,"
                " ship_country, comment, currency, total_minor, rejection_reason, carrier,"
                " tracking_number, version, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, 'portal', ?, 'Goods receiving', 'Kehrwieder 2', '20457',"
                " 'Hamburg', 'DE', '', 'EUR', 42000, '', '', '', 1, ?, ?)",
                (tenant_id, account_id, status,
                 None if status == "draft" else first_number + i, user_id, created, created))
            db.execute(
                "INSERT INTO purchase_order_line (tenant_id, purchase_order_id, line_number,"
                " product_id, quantity, unit_price_minor, currency, provisioned_quantity)"
                " VALUES (?, ?, 1, ?, 100, 420, 'EUR', 0)",
                (tenant_id, cursor.lastrowid, product_id))
    print(f"added {count} purchase orders to {path}")


if __name__ == "__main__":
    main()
