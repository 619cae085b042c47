#!/usr/bin/env python3
"""Grows a simdesk database with the demo data into a platform at scale, for benchmarks.

    scripts/bulk_scale.py DATABASE [--tenants 1000] [--sims 1000000] [--orders 100000]
                          [--big-accounts 10000] [--big-share 0.4] [--account-share 0.25]
    scripts/bulk_scale.py DATABASE --one-account ORDERS

DATABASE is a SQLite file (or a sqlite:// URL) or a postgres:// URL; on PostgreSQL the rows go
through psql's COPY, as the user of the URL (a superuser, so row-level security does not apply
to the load). The database must hold the demo data (`simdesk seed-demo`) and nothing of an
earlier run.

The default run adds tenants until there are TENANTS (each with ten accounts, one product, an
admin and a purchaser per account), 10,000 more accounts to Nordwind Mobile, ORDERS purchase
orders (BIG_SHARE of them Nordwind's, ACCOUNT_SHARE of those Hafenlogistik GmbH's, the rest
spread over the other tenants' accounts) in a spread of statuses and ages over a year, each
with one line and the timeline of the steps that brought it to its status, and SIMS SIM cards:
those of the provisioned orders assigned to them, the others free stock. PO numbers follow
each tenant's counter, which ends past them. The counts per status are the database's own
(on SQLite its triggers count every inserted order; on PostgreSQL they are made afresh from
the orders at the end of the load, as a migration's backfill does).

--one-account adds ORDERS orders of Hafenlogistik GmbH only, one line and no timeline, as
scripts/bulk_orders.py does on SQLite: for measuring the counts per status at a million.

Python's standard library only (and psql for PostgreSQL).
"""
import argparse
import datetime
import random
import sqlite3
import subprocess
import sys
import time

# Weights of the statuses the orders end in, most of them closed, as in a live inbox.
STATUS_WEIGHTS = [
    ("draft", 4), ("awaiting_approval", 2), ("submitted", 6), ("accepted", 3),
    ("provisioning", 1), ("ready", 3), ("shipped", 6), ("closed", 65),
    ("rejected", 5), ("cancelled", 5),
]

# The steps (action, from, to) that bring an order to each status, after its creation.
PATHS = {
    "draft": [],
    "awaiting_approval": [("submit", "draft", "awaiting_approval")],
    "submitted": [("submit", "draft", "submitted")],
    "accepted": [("submit", "draft", "submitted"), ("accept", "submitted", "accepted")],
    "provisioning": [("submit", "draft", "submitted"), ("accept", "submitted", "accepted"),
                     ("provision", "accepted", "provisioning")],
    "ready": [("submit", "draft", "submitted"), ("accept", "submitted", "accepted"),
              ("provision", "accepted", "ready")],
    "shipped": [("submit", "draft", "submitted"), ("accept", "submitted", "accepted"),
                ("provision", "accepted", "ready"), ("ship", "ready", "shipped")],
    "closed": [("submit", "draft", "submitted"), ("accept", "submitted", "accepted"),
               ("provision", "accepted", "ready"), ("ship", "ready", "shipped"),
               ("confirm_receipt", "shipped", "closed")],
    "rejected": [("submit", "draft", "submitted"), ("reject", "submitted", "rejected")],
    "cancelled": [("submit", "draft", "submitted"), ("cancel", "submitted", "cancelled")],
}
NUMBERED = {"accepted", "provisioning", "ready", "shipped", "closed"}
WITH_SIMS = {"provisioning", "ready", "shipped", "closed"}

ACCOUNTS_PER_TENANT = 10
ORDER_SPAN = datetime.timedelta(days=365)
# Far above the demo's sample identities (1 to 1,000 per tenant).
FIRST_IDENTITY = 10_000_000

PO_COLUMNS = ("id", "tenant_id", "account_id", "status", "po_number", "source", "created_by",
              "ship_recipient", "ship_street", "ship_postal_code", "ship_city", "ship_country",
              "comment", "currency", "total_minor", "rejection_reason", "carrier",
              "tracking_number", "version", "created_at", "updated_at", "submitted_at")
LINE_COLUMNS = ("id", "tenant_id", "purchase_order_id", "line_number", "product_id", "quantity",
                "unit_price_minor", "currency", "provisioned_quantity")
EVENT_COLUMNS = ("id", "tenant_id", "account_id", "purchase_order_id", "action", "from_status",
                 "to_status", "actor_user_id", "actor_name", "reason", "at")
SIM_COLUMNS = ("id", "tenant_id", "product_id", "iccid", "imsi", "msisdn", "status",
               "account_id", "purchase_order_id", "purchase_order_line_id", "loaded_at",
               "assigned_at")


def stamp(moment: datetime.datetime) -> str:
    return moment.isoformat()


def luhn_digit(body: str) -> str:
    """The check digit that makes body + digit pass the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = ord(char) - 48
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def identities(n: int) -> tuple:
    body = f"894900{n:012}"
    return body + luhn_digit(body), f"26201{n:010}", f"4915{n:09}"


class Sqlite:
    """Writes with executemany in one transaction; the counters' triggers run per row."""

    def __init__(self, path: str):
        self.db = sqlite3.connect(path, timeout=30)
        self.db.execute("PRAGMA foreign_keys = ON")
        # The indexes of a million SIMs are written far faster from memory.
        self.db.execute("PRAGMA cache_size = -400000")

    def rows(self, sql: str) -> list:
        return [tuple(str(v) if v is not None else None for v in row)
                for row in self.db.execute(sql).fetchall()]

    def begin(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def insert(self, table: str, columns: tuple, rows) -> None:
        marks = ", ".join("?" for _ in columns)
        self.db.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def execute(self, sql: str) -> None:
        self.db.execute(sql)

    def commit(self) -> None:
        self.db.commit()


def copy_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


class Postgres:
    """Streams COPY data into one psql session, in one transaction; then counts afresh."""

    def __init__(self, url: str):
        self.url = url
        self.psql = None

    def rows(self, sql: str) -> list:
        out = subprocess.run(["psql", self.url, "-XAtq", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                              "-c", sql], check=True, capture_output=True, text=True).stdout
        return [tuple(None if v == "" else v for v in line.split("\t"))
                for line in out.splitlines()]

    def begin(self) -> None:
        # Errors reach stderr; the answers of setval and the like are dropped.
        self.psql = subprocess.Popen(["psql", self.url, "-Xq", "-v", "ON_ERROR_STOP=1"],
                                     stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        # Counted row by row inside one transaction, the counters' few rows would each get a
        # new version per order that nothing can prune before the commit, and every later
        # update walks them: hours for a million. The load runs without triggers (a superuser's
        # replication role) and the counts are made afresh from the orders at the end.
        self.write("BEGIN;\nSET LOCAL session_replication_role = replica;\n")

    def write(self, text: str) -> None:
        assert self.psql is not None and self.psql.stdin is not None
        self.psql.stdin.write(text)

    def insert(self, table: str, columns: tuple, rows) -> None:
        self.write(f"COPY {table} ({', '.join(columns)}) FROM STDIN;\n")
        for row in rows:
            self.write("\t".join(copy_value(v) for v in row) + "\n")
        self.write("\\.\n")

    def execute(self, sql: str) -> None:
        self.write(sql.rstrip(";") + ";\n")

    def commit(self) -> None:
        self.write("""DELETE FROM purchase_order_status_count;
            INSERT INTO purchase_order_status_count (tenant_id, account_id, status, slot, orders)
              SELECT tenant_id, account_id, status, 0, count(*) FROM purchase_order
              GROUP BY tenant_id, account_id, status;
            DELETE FROM purchase_order_tenant_status_count;
            INSERT INTO purchase_order_tenant_status_count (tenant_id, status, slot, orders)
              SELECT tenant_id, status, 0, count(*) FROM purchase_order
              GROUP BY tenant_id, status;\n""")
        # Explicit ids were copied: each table's sequence moves past them.
        for table in ("tenant", "account", "app_user", "membership", "product",
                      "purchase_order", "purchase_order_line", "purchase_order_event",
                      "sim_card"):
            self.write(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                       f" (SELECT max(id) FROM {table}));\n")
        # What autovacuum does after a bulk insert: statistics, and the visibility map that
        # lets index-only scans skip the table.
        self.write("COMMIT;\nVACUUM ANALYZE;\n")
        assert self.psql is not None and self.psql.stdin is not None
        self.psql.stdin.close()
        if self.psql.wait() != 0:
            sys.exit("bulk_scale: psql failed; nothing was added")


def open_database(target: str):
    if target.startswith(("postgres://", "postgresql://")):
        return Postgres(target)
    path = target
    if path.startswith("sqlite:"):
        path = path[len("sqlite:"):].lstrip("/")
        path = "/" + path if target.startswith("sqlite:///") else path
        path = path.split("?", 1)[0]
    return Sqlite(path)


def one(db, sql: str) -> tuple:
    rows = db.rows(sql)
    if not rows:
        sys.exit(f"bulk_scale: nothing found for: {sql}\n(is the demo data loaded?)")
    return rows[0]


def next_ids(db) -> dict:
    tables = ("tenant", "account", "app_user", "membership", "product", "purchase_order",
              "purchase_order_line", "purchase_order_event", "sim_card")
    row = one(db, "SELECT " + ", ".join(
        f"(SELECT coalesce(max(id), 0) FROM {t})" for t in tables))
    return {t: int(v) + 1 for t, v in zip(tables, row)}


def demo_ids(db) -> dict:
    tenant_id, account_id = one(
        db, "SELECT tenant_id, id FROM account WHERE customer_number = 'NW-1001'")
    purchaser = one(db, "SELECT id, display_name FROM app_user"
                        " WHERE email = 'purchaser@hafenlogistik.example'")
    product = one(db, f"SELECT id, unit_price_minor FROM product WHERE tenant_id = {tenant_id}"
                      " AND part_number = 'NORDWIND-IOT-4FF'")
    next_number = one(db, f"SELECT next_po_number FROM tenant WHERE id = {tenant_id}")[0]
    return {"tenant": int(tenant_id), "account": int(account_id),
            "purchaser": (int(purchaser[0]), purchaser[1]),
            "product": (int(product[0]), int(product[1])), "next_number": int(next_number)}


def one_account(db, count: int) -> None:
    """COUNT orders of Hafenlogistik GmbH, one line each, newest last."""
    demo = demo_ids(db)
    ids = next_ids(db)
    now = datetime.datetime.now(datetime.timezone.utc)
    statuses = ["submitted", "accepted", "ready", "shipped", "closed", "closed", "closed",
                "rejected", "draft", "cancelled"]
    first_po, first_line = ids["purchase_order"], ids["purchase_order_line"]
    product_id, price = demo["product"]

    def orders():
        for i in range(count):
            status = statuses[i % len(statuses)]
            created = stamp(now - datetime.timedelta(minutes=count - i))
            yield (first_po + i, demo["tenant"], demo["account"], status,
                   None if status == "draft" else 5_000_000 + i, "portal",
                   demo["purchaser"][0], "Goods receiving", "Kehrwieder 2", "20457", "Hamburg",
                   "DE", "", "EUR", 100 * price, "", "", "", 1, created, created,
                   None if status == "draft" else created)

    def lines():
        for i in range(count):
            yield (first_line + i, demo["tenant"], first_po + i, 1, product_id, 100, price,
                   "EUR", 0)

    db.begin()
    db.insert("purchase_order", PO_COLUMNS, orders())
    db.insert("purchase_order_line", LINE_COLUMNS, lines())
    db.commit()


def scale(db, args) -> None:
    rng = random.Random(2026)
    now = datetime.datetime.now(datetime.timezone.utc)
    if db.rows("SELECT id FROM tenant WHERE slug = 'scale-0003'"):
        sys.exit("bulk_scale: this database was grown already")
    demo = demo_ids(db)
    ids = next_ids(db)
    tenant_count = int(one(db, "SELECT count(*) FROM tenant")[0])
    loaded = stamp(now - ORDER_SPAN - datetime.timedelta(days=30))

    tenants, accounts, users, memberships, products = [], [], [], [], []
    # Per tenant: its product (id, price) and its accounts as (id, purchaser id, name).
    catalog = {demo["tenant"]: demo["product"]}
    buyers = {demo["tenant"]: []}
    next_number = {demo["tenant"]: demo["next_number"]}

    def add_user(tenant_id, account_id, email, name, role):
        user_id = ids["app_user"] + len(users)
        users.append((user_id, tenant_id, account_id, email, name, None, True, False, 0,
                      loaded, loaded))
        memberships.append((ids["membership"] + len(memberships), user_id, tenant_id,
                            account_id, role))
        return user_id

    def add_account(tenant_id, number, name):
        account_id = ids["account"] + len(accounts)
        accounts.append((account_id, tenant_id, name, "active", loaded, number, 1))
        purchaser = add_user(tenant_id, account_id, f"purchaser@a{account_id}.scale.example",
                             "Purchaser", "purchaser")
        buyers[tenant_id].append((account_id, purchaser, "Purchaser"))

    for n in range(1, args.big_accounts + 1):
        add_account(demo["tenant"], f"NW-S{n:06}", f"Nordwind Customer {n:06}")
    for n in range(tenant_count + 1, args.tenants + 1):
        tenant_id = ids["tenant"] + len(tenants)
        tenants.append((tenant_id, f"scale-{n:04}", f"Scale Mobile {n:04}",
                        f"support@scale-{n:04}.example", loaded))
        product_id = ids["product"] + len(products)
        price = 300 + n % 200
        products.append((product_id, tenant_id, f"SCALE-{n:04}-4FF", "IoT SIM 4FF", "",
                         "plastic", "4FF", "", "", price, "EUR", "43191501", "EA", 1, 100000,
                         1, "active", 1, loaded, loaded))
        catalog[tenant_id] = (product_id, price)
        buyers[tenant_id] = []
        next_number[tenant_id] = 100001
        add_user(tenant_id, None, f"admin@scale-{n:04}.example", "Tenant admin",
                 "tenant_admin")
        for a in range(1, ACCOUNTS_PER_TENANT + 1):
            add_account(tenant_id, f"S{n:04}-{a:02}", f"Scale {n:04} Customer {a:02}")
    others = [t for t in buyers if t != demo["tenant"]]
    if not others:
        sys.exit("bulk_scale: --tenants must be above the tenants there are")
    big_buyers = buyers[demo["tenant"]]
    hafen = (demo["account"], demo["purchaser"][0], demo["purchaser"][1])

    statuses = [s for s, _ in STATUS_WEIGHTS]
    weights = [w for _, w in STATUS_WEIGHTS]
    orders, lines, events, assigned = [], [], [], []
    event_id = ids["purchase_order_event"]
    for i in range(args.orders):
        po_id = ids["purchase_order"] + i
        line_id = ids["purchase_order_line"] + i
        if rng.random() < args.big_share:
            tenant_id = demo["tenant"]
            buyer = hafen if rng.random() < args.account_share else rng.choice(big_buyers)
        else:
            tenant_id = rng.choice(others)
            buyer = rng.choice(buyers[tenant_id])
        account_id, created_by, actor = buyer
        status = rng.choices(statuses, weights)[0]
        quantity = rng.randint(1, 12)
        product_id, price = catalog[tenant_id]
        created = now - ORDER_SPAN * (args.orders - i) / args.orders
        # Steps follow each other by an hour, or faster for the newest orders.
        gap = min(datetime.timedelta(hours=1), (now - created) / 8)
        path = PATHS[status]
        number = None
        if status in NUMBERED:
            number = next_number[tenant_id]
            next_number[tenant_id] += 1
        events.append((event_id, tenant_id, account_id, po_id, "create", None, "draft",
                       created_by, actor, "", stamp(created)))
        event_id += 1
        provisioned_at = None
        for step, (action, source, target) in enumerate(path, start=1):
            provider = action in ("accept", "reject", "provision", "ship")
            reason = "Not in our coverage area" if action == "reject" else ""
            at = created + gap * step
            if action == "provision":
                provisioned_at = at
            events.append((event_id, tenant_id, account_id, po_id, action, source, target,
                           None if provider else created_by,
                           "Agent" if provider else actor, reason, stamp(at)))
            event_id += 1
        provisioned = 0
        if status in WITH_SIMS:
            provisioned = quantity if status != "provisioning" else quantity // 2
            if provisioned:
                assigned.append((tenant_id, product_id, account_id, po_id, line_id,
                                 provisioned, stamp(provisioned_at)))
        updated = stamp(created + gap * len(path))
        orders.append((po_id, tenant_id, account_id, status, number, "portal", created_by,
                       "Goods receiving", "Hauptstrasse 1", "10115", "Berlin", "DE", "", "EUR",
                       quantity * price,
                       "Not in our coverage area" if status == "rejected" else "",
                       "DHL" if status in ("shipped", "closed") else "",
                       f"TRK{po_id}" if status in ("shipped", "closed") else "",
                       1 + len(path), stamp(created), updated,
                       None if status == "draft" else stamp(created + gap)))
        lines.append((line_id, tenant_id, po_id, 1, product_id, quantity, price, "EUR",
                      provisioned))

    in_orders = sum(a[5] for a in assigned)
    free = max(args.sims - in_orders, 0)
    # A third of the free stock is Nordwind's; the rest is shared by the other tenants.
    free_stock = [(demo["tenant"], demo["product"][0], free // 3)]
    rest = free - free // 3
    for k, tenant_id in enumerate(others):
        share = rest // len(others) + (1 if k < rest % len(others) else 0)
        free_stock.append((tenant_id, catalog[tenant_id][0], share))

    def sims():
        sim_id = ids["sim_card"]
        for tenant_id, product_id, account_id, po_id, line_id, count, at in assigned:
            for _ in range(count):
                iccid, imsi, msisdn = identities(FIRST_IDENTITY + sim_id)
                yield (sim_id, tenant_id, product_id, iccid, imsi, msisdn, "assigned",
                       account_id, po_id, line_id, loaded, at)
                sim_id += 1
        for tenant_id, product_id, count in free_stock:
            for _ in range(count):
                iccid, imsi, msisdn = identities(FIRST_IDENTITY + sim_id)
                yield (sim_id, tenant_id, product_id, iccid, imsi, msisdn, "free", None, None,
                       None, loaded, None)
                sim_id += 1

    db.begin()
    db.insert("tenant", ("id", "slug", "name", "support_email", "created_at"), tenants)
    db.insert("product", ("id", "tenant_id", "part_number", "name", "description", "sim_type",
                          "form_factor", "features", "branding", "unit_price_minor",
                          "currency", "unspsc", "unit_of_measure", "min_order_quantity",
                          "max_order_quantity", "order_increment", "status", "version",
                          "created_at", "updated_at"), products)
    db.insert("account", ("id", "tenant_id", "name", "status", "created_at", "customer_number",
                          "version"), accounts)
    db.insert("app_user", ("id", "tenant_id", "account_id", "email", "display_name",
                           "password_hash", "active", "must_change_password",
                           "failed_sign_ins", "created_at", "updated_at"), users)
    db.insert("membership", ("id", "user_id", "tenant_id", "account_id", "role"), memberships)
    db.insert("purchase_order", PO_COLUMNS, orders)
    db.insert("purchase_order_line", LINE_COLUMNS, lines)
    db.insert("purchase_order_event", EVENT_COLUMNS, events)
    db.insert("sim_card", SIM_COLUMNS, sims())
    for tenant_id, number in next_number.items():
        db.execute(f"UPDATE tenant SET next_po_number = {number} WHERE id = {tenant_id}")
    db.commit()
    print(f"added {len(tenants)} tenants, {len(accounts)} accounts, {len(users)} users,"
          f" {len(orders)} purchase orders ({sum(1 for o in orders if o[1] == demo['tenant'])}"
          f" of Nordwind Mobile, {sum(1 for o in orders if o[2] == demo['account'])} of"
          f" Hafenlogistik GmbH), {len(events)} timeline entries, {in_orders + free} SIMs"
          f" ({in_orders} in orders)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database")
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--sims", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--big-accounts", type=int, default=10_000)
    parser.add_argument("--big-share", type=float, default=0.4)
    parser.add_argument("--account-share", type=float, default=0.25)
    parser.add_argument("--one-account", type=int, metavar="ORDERS")
    args = parser.parse_args()
    db = open_database(args.database)
    started = time.monotonic()
    if args.one_account is not None:
        one_account(db, args.one_account)
        print(f"added {args.one_account} purchase orders of Hafenlogistik GmbH")
    else:
        scale(db, args)
    print(f"({time.monotonic() - started:.1f} s)")


if __name__ == "__main__":
    main()
