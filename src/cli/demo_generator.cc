#include "cli/demo_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <system_error>

#include "common/strings.h"
#include "engine/connection.h"
#include "engine/database.h"

namespace weft::cli {

namespace {

std::string Int(int64_t v) { return std::to_string(v); }

// The clean data is a function of the row number; a planted violation
// replaces `rows` of them, chosen as row numbers j * stride + offset for
// j = 1..rows. Distinct offsets never pick the same row, so the counts add up
// exactly.
struct Plant {
  const char* product_id;
  const char* column;
  const char* rule;
  const char* example;
  double per_scale;  // rows at scale 1; at least one at any scale
  int offset;
  bool extra_rows;  // appended rows rather than altered ones
};

// The one list of planted violations: the SQL below and PlantedViolations()
// both read it, so the documentation cannot drift from the data.
constexpr Plant kPlants[] = {
    {"customer.customers", "email", "invalidValues (pattern local@domain.tld)", "anna.schmidt.42(at)example.com", 5,
     0, false},
    {"sales.orders", "customer_id", "foreign key to customer.customer_id (golden record)", "C90000001", 20, 0,
     false},
    {"sales.orders", "order_id", "unique / duplicateValues (an order_id appears twice)", "O0000333337 twice (scale 1)", 2, 4, true},
    {"sales.orders", "order_ts", "required (null)", "NULL", 3, 1, false},
    {"sales.orders", "amount", "sql rule no_negative_amounts (amount < 0)", "-129.90", 2, 2, false},
    {"sales.orders", "status", "invalidValues (not in placed/shipped/delivered/cancelled/returned)", "on_hold", 5, 3,
     false},
    {"sales.order_items", "quantity", "sql rule positive_quantity (quantity <= 0)", "-2", 3, 5, false},
    {"marketing.leads", "source", "invalidValues (not in organic/paid/referral/direct)", "tv", 4, 0, false},
    {"marketing.leads", "score", "sql rule score_in_range (0..100)", "150", 2, 1, false},
    {"inventory.stock_levels", "on_hand", "sql rule no_negative_stock (on_hand < 0)", "-7", 2, 0, false},
    {"inventory.inventory_snapshots", "warehouse_id, sku",
     "composite foreign key to inventory.stock_levels (warehouse_id, sku)", "WH-BER1 / SKU-<not stocked>", 3, 0,
     true},
};

int64_t PlantRows(const Plant& p, double scale) {
  return std::max<int64_t>(1, std::llround(p.per_scale * scale));
}

const Plant& FindPlant(std::string_view product_id, std::string_view column) {
  for (const auto& p : kPlants)
    if (product_id == p.product_id && column == p.column) return p;
  return kPlants[0];  // unreachable: every call names an entry of kPlants
}

// SQL boolean: row number `col` (1..n) is one of the planted rows.
std::string PlantedRow(std::string_view col, int64_t n, const Plant& p, double scale) {
  const int64_t k = PlantRows(p, scale);
  const int64_t stride = std::max<int64_t>(n / (k + 1), p.offset + 1);
  return "(" + std::string(col) + " % " + Int(stride) + " = " + Int(p.offset) + " AND " + std::string(col) +
         " // " + Int(stride) + " BETWEEN 1 AND " + Int(k) + ")";
}

// Ordinal of a planted row (1..k), for values that must differ per row.
std::string PlantedOrdinal(std::string_view col, int64_t n, const Plant& p, double scale) {
  const int64_t k = PlantRows(p, scale);
  const int64_t stride = std::max<int64_t>(n / (k + 1), p.offset + 1);
  return "(" + std::string(col) + " // " + Int(stride) + ")";
}

constexpr const char* kWarehouses[][6] = {
    // id, name, city, country, capacity, opened
    {"WH-BER1", "Berlin Sued", "Berlin", "DE", "18000", "2016-09-01"},
    {"WH-HAM1", "Hamburg Hafen", "Hamburg", "DE", "24000", "2014-03-15"},
    {"WH-MUC1", "Muenchen Nord", "Munich", "DE", "12000", "2019-05-20"},
    {"WH-PAR1", "Paris Roissy", "Paris", "FR", "20000", "2017-11-06"},
    {"WH-LYS1", "Lyon Saint-Exupery", "Lyon", "FR", "9000", "2021-02-01"},
    {"WH-AMS1", "Amsterdam Schiphol", "Amsterdam", "NL", "16000", "2015-06-30"},
    {"WH-MAD1", "Madrid Coslada", "Madrid", "ES", "14000", "2018-04-09"},
    {"WH-MXP1", "Milano Malpensa", "Milan", "IT", "11000", "2020-10-12"},
    {"WH-LHR1", "London Heathrow", "London", "GB", "15000", "2016-01-18"},
    {"WH-WAW1", "Warszawa Okecie", "Warsaw", "PL", "13000", "2022-03-07"},
    {"WH-ARN1", "Stockholm Arlanda", "Stockholm", "SE", "8000", "2021-08-23"},
    {"WH-EWR1", "Newark", "Newark", "US", "10000", "2023-01-09"},
};
constexpr int64_t kWarehouseCount = sizeof(kWarehouses) / sizeof(kWarehouses[0]);

std::string WarehouseIdList() {
  std::string out = "[";
  for (int64_t w = 0; w < kWarehouseCount; ++w) out += (w ? ", " : "") + SqlQuote(kWarehouses[w][0]);
  return out + "]";
}

}  // namespace

Result<DemoFormat> ParseDemoFormat(std::string_view name) {
  if (name == "csv") return DemoFormat::kCsv;
  if (name == "parquet") return DemoFormat::kParquet;
  return Status::InvalidArgument("unknown format '" + std::string(name) + "': expected csv or parquet");
}

DemoSizes DemoSizesFor(double scale) {
  DemoSizes s;
  s.customers = std::max<int64_t>(100, std::llround(100'000 * scale));
  s.orders = std::max<int64_t>(1'000, std::llround(1'000'000 * scale));
  s.skus = std::clamp<int64_t>(std::llround(20'000 * scale), 200, 900'000);
  s.campaigns = std::max<int64_t>(10, std::llround(500 * scale));
  s.leads = std::max<int64_t>(200, std::llround(200'000 * scale));
  s.warehouses = kWarehouseCount;
  s.snapshot_weeks = 4;
  return s;
}

std::vector<PlantedViolation> PlantedViolations(double scale) {
  std::vector<PlantedViolation> out;
  for (const auto& p : kPlants) out.push_back({p.product_id, p.column, p.rule, p.example, PlantRows(p, scale)});
  return out;
}

std::string DemoSetupSql(double scale) {
  const DemoSizes n = DemoSizesFor(scale);
  // Each attribute is hash(row number, salt) mapped onto a range or a list:
  // deterministic, independent of thread count, and cheap.
  return R"SQL(
CREATE TEMP MACRO demo_pick(arr, x) AS arr[1 + (x % len(arr))::BIGINT];
CREATE TEMP MACRO demo_first(ci) AS demo_pick(['Anna', 'Ben', 'Clara', 'David', 'Emma', 'Felix', 'Greta', 'Hugo',
  'Ines', 'Jonas', 'Klara', 'Lukas', 'Mia', 'Noah', 'Olivia', 'Paul', 'Quinn', 'Rosa', 'Samuel', 'Tara', 'Umar',
  'Vera', 'William', 'Zoe'], hash(ci, 1));
CREATE TEMP MACRO demo_last(ci) AS demo_pick(['Schmidt', 'Martin', 'Jansen', 'Peeters', 'Garcia', 'Rossi', 'Smith',
  'Kowalski', 'Andersson', 'Nielsen', 'Huber', 'Johnson', 'Meyer', 'Dubois', 'Visser', 'Janssens', 'Lopez',
  'Russo', 'Brown', 'Nowak', 'Johansson', 'Hansen', 'Gruber', 'Miller'], hash(ci, 2));
CREATE TEMP MACRO demo_mail_domain(ci) AS
  demo_pick(['example.com', 'example.org', 'example.net', 'mail.example'], hash(ci, 3));
CREATE TEMP MACRO demo_email_local(ci) AS lower(demo_first(ci)) || '.' || lower(demo_last(ci)) || '.' || ci::VARCHAR;
CREATE TEMP MACRO demo_country(ci) AS demo_pick(['DE', 'DE', 'DE', 'DE', 'FR', 'FR', 'FR', 'NL', 'NL', 'BE', 'ES',
  'ES', 'IT', 'IT', 'GB', 'GB', 'GB', 'PL', 'SE', 'DK', 'AT', 'US'], hash(ci, 11));
CREATE TEMP MACRO demo_currency(country) AS CASE country WHEN 'GB' THEN 'GBP' WHEN 'PL' THEN 'PLN'
  WHEN 'SE' THEN 'SEK' WHEN 'DK' THEN 'DKK' WHEN 'US' THEN 'USD' ELSE 'EUR' END;
CREATE TEMP MACRO demo_fx(currency) AS CASE currency WHEN 'GBP' THEN 0.85 WHEN 'PLN' THEN 4.30
  WHEN 'SEK' THEN 11.50 WHEN 'DKK' THEN 7.46 WHEN 'USD' THEN 1.08 ELSE 1.00 END;
CREATE TEMP MACRO demo_dial(country) AS CASE country WHEN 'DE' THEN '49' WHEN 'FR' THEN '33' WHEN 'NL' THEN '31'
  WHEN 'BE' THEN '32' WHEN 'ES' THEN '34' WHEN 'IT' THEN '39' WHEN 'GB' THEN '44' WHEN 'PL' THEN '48'
  WHEN 'SE' THEN '46' WHEN 'DK' THEN '45' WHEN 'AT' THEN '43' ELSE '1' END;
CREATE TEMP MACRO demo_customer_id(ci) AS 'C' || lpad(ci::VARCHAR, 8, '0');
CREATE TEMP MACRO demo_order_id(i) AS 'O' || lpad(i::VARCHAR, 10, '0');
CREATE TEMP MACRO demo_sku_code(k) AS 'SKU-' || lpad(k::VARCHAR, 6, '0');
CREATE TEMP MACRO demo_order_customer(i) AS 1 + (hash(i, 21) % )SQL" +
         Int(n.customers) + R"SQL()::BIGINT;
CREATE TEMP MACRO demo_order_currency(i) AS demo_currency(demo_country(demo_order_customer(i)));
-- 547 days from 2024-01-01 to 2025-06-30, to the second.
CREATE TEMP MACRO demo_order_ts(i) AS TIMESTAMP '2024-01-01 00:00:00' + to_seconds((hash(i, 22) % 47260800)::BIGINT);
CREATE TEMP MACRO demo_lines(i) AS 1 + (hash(i, 31) % 4)::BIGINT;
-- Popular SKUs sell more: the square of a uniform draw favours low numbers.
CREATE TEMP MACRO demo_sku(i, l) AS
  1 + floor()SQL" + Int(n.skus) + R"SQL( * pow((hash(i, l, 32) % 1000000) / 1000000.0, 2))::BIGINT;
CREATE TEMP MACRO demo_qty(i, l) AS CASE WHEN hash(i, l, 33) % 10 < 7 THEN 1 WHEN hash(i, l, 33) % 10 < 9 THEN 2
  ELSE 3 + (hash(i, l, 34) % 5)::INTEGER END;
CREATE TEMP MACRO demo_price_eur(k) AS ((hash(k, 35) % 19900) + 99)::DECIMAL(12, 0) * 0.01;
CREATE TEMP MACRO demo_unit_price(i, l) AS
  round(demo_price_eur(demo_sku(i, l)) * demo_fx(demo_order_currency(i)), 2)::DECIMAL(12, 2);
CREATE TEMP MACRO demo_warehouse_id(w) AS )SQL" +
         WarehouseIdList() + R"SQL([w];
CREATE TEMP MACRO demo_stocked(w, k) AS hash(w, k, 51) % 3 <> 0;
CREATE TEMP MACRO demo_on_hand(w, k) AS (hash(w, k, 52) % 500)::INTEGER;
)SQL";
}

std::vector<DemoQuery> DemoQueries(double scale) {
  const DemoSizes n = DemoSizesFor(scale);
  std::vector<DemoQuery> out;

  // --- customer.customers: the golden record ---------------------------------
  {
    const Plant& bad_email = FindPlant("customer.customers", "email");
    out.push_back({"customer.customers", R"SQL(
SELECT
  demo_customer_id(i) AS customer_id,
  demo_email_local(i) || CASE WHEN )SQL" + PlantedRow("i", n.customers, bad_email, scale) +
                                             R"SQL( THEN '(at)' ELSE '@' END
    || demo_mail_domain(i) AS email,
  demo_first(i) || ' ' || demo_last(i) AS full_name,
  CASE WHEN hash(i, 4) % 10 < 6
       THEN '+' || demo_dial(demo_country(i)) || (100000000 + hash(i, 5) % 900000000)::VARCHAR END AS phone,
  CASE WHEN hash(i, 6) % 10 < 4 THEN DATE '1950-01-01' + (hash(i, 7) % 18250)::INTEGER END AS birth_date,
  demo_country(i) AS country,
  CASE WHEN hash(i, 8) % 100 < 85 THEN 'consumer'
       WHEN hash(i, 8) % 100 < 97 THEN 'small_business'
       ELSE 'enterprise' END AS segment,
  DATE '2018-01-01' + (hash(i, 9) % 2191)::INTEGER AS signup_date,
  hash(i, 10) % 100 < 55 AS marketing_opt_in,
  TIMESTAMP '2024-01-01 02:00:00' + to_seconds((hash(i, 12) % 47174400)::BIGINT) AS updated_at
FROM range(1, )SQL" + Int(n.customers + 1) +
                                             R"SQL() t(i)
ORDER BY i
)SQL"});
  }

  // --- sales.orders -------------------------------------------------------------
  {
    const double s = scale;
    const int64_t no = n.orders;
    const Plant& orphan = FindPlant("sales.orders", "customer_id");
    const Plant& dup = FindPlant("sales.orders", "order_id");
    const Plant& null_ts = FindPlant("sales.orders", "order_ts");
    const Plant& negative = FindPlant("sales.orders", "amount");
    const Plant& status = FindPlant("sales.orders", "status");
    out.push_back({"sales.orders", R"SQL(
WITH amounts AS (
  -- The order total is the sum of its lines, generated exactly as sales.order_items.
  SELECT i, SUM(demo_qty(i, l) * demo_unit_price(i, l))::DECIMAL(12, 2) AS amount
  FROM range(1, )SQL" + Int(no + 1) + R"SQL() t(i), range(1, 5) lines(l)
  WHERE l <= demo_lines(i)
  GROUP BY i
),
base AS (
  SELECT
    i,
    demo_order_id(i) AS order_id,
    CASE WHEN )SQL" + PlantedRow("i", no, orphan, s) +
                                       R"SQL( THEN 'C9' || lpad()SQL" + PlantedOrdinal("i", no, orphan, s) +
                                       R"SQL(::VARCHAR, 7, '0')
         ELSE demo_customer_id(demo_order_customer(i)) END AS customer_id,
    CASE WHEN )SQL" + PlantedRow("i", no, null_ts, s) +
                                       R"SQL( THEN NULL ELSE demo_order_ts(i) END AS order_ts,
    CASE WHEN )SQL" + PlantedRow("i", no, status, s) + R"SQL( THEN 'on_hold'
         WHEN hash(i, 23) % 100 < 3 THEN 'cancelled'
         WHEN hash(i, 23) % 100 < 6 THEN 'returned'
         WHEN demo_order_ts(i) >= TIMESTAMP '2025-06-28 00:00:00' THEN 'placed'
         WHEN demo_order_ts(i) >= TIMESTAMP '2025-06-20 00:00:00' THEN 'shipped'
         ELSE 'delivered' END AS status,
    CASE WHEN )SQL" + PlantedRow("i", no, negative, s) +
                                       R"SQL( THEN -amount ELSE amount END AS amount,
    demo_order_currency(i) AS currency,
    CASE WHEN hash(i, 24) % 100 < 55 THEN 'web'
         WHEN hash(i, 24) % 100 < 80 THEN 'mobile'
         WHEN hash(i, 24) % 100 < 95 THEN 'store'
         ELSE 'marketplace' END AS channel,
    0 AS copy
  FROM amounts
),
duplicates AS (
  -- The same order number issued twice by a buggy till: a second, different order.
  SELECT i, order_id, demo_customer_id(demo_order_customer(i + 1)) AS customer_id,
         demo_order_ts(i) + INTERVAL 3 HOUR AS order_ts, 'placed' AS status,
         (abs(amount) * 0.5)::DECIMAL(12, 2) AS amount, currency, 'store' AS channel, 1 AS copy
  FROM base
  WHERE )SQL" + PlantedRow("i", no, dup, s) + R"SQL(
)
SELECT order_id, customer_id, order_ts, status, amount, currency, channel
FROM (SELECT * FROM base UNION ALL SELECT * FROM duplicates)
ORDER BY i, copy
)SQL"});
  }

  // --- sales.order_items --------------------------------------------------------
  {
    const Plant& negative_qty = FindPlant("sales.order_items", "quantity");
    out.push_back({"sales.order_items", R"SQL(
SELECT
  demo_order_id(i) AS order_id,
  l::INTEGER AS line_no,
  demo_sku_code(demo_sku(i, l)) AS sku,
  CASE WHEN l = 1 AND )SQL" + PlantedRow("i", n.orders, negative_qty, scale) +
                                            R"SQL( THEN -demo_qty(i, l) ELSE demo_qty(i, l) END AS quantity,
  demo_unit_price(i, l) AS unit_price
FROM range(1, )SQL" + Int(n.orders + 1) + R"SQL() t(i), range(1, 5) lines(l)
WHERE l <= demo_lines(i)
ORDER BY i, l
)SQL"});
  }

  // --- marketing.campaigns -------------------------------------------------------
  out.push_back({"marketing.campaigns", R"SQL(
WITH c AS (
  SELECT i,
         demo_pick(['email', 'search', 'social', 'display', 'affiliate'], hash(i, 61)) AS channel,
         DATE '2023-07-01' + (hash(i, 62) % 700)::INTEGER AS start_date
  FROM range(1, )SQL" + Int(n.campaigns + 1) +
                                         R"SQL() t(i)
)
SELECT
  'CMP-' || lpad(i::VARCHAR, 5, '0') AS campaign_id,
  demo_pick(['Spring sale', 'Summer sale', 'Back to school', 'Black Friday', 'Holiday gifts', 'New year',
             'Loyalty week', 'Brand awareness'], hash(i, 63)) || ' ' || year(start_date)::VARCHAR || ' - ' || channel
    AS name,
  channel,
  ((1000 + hash(i, 64) % 99000) // 100 * 100)::DECIMAL(12, 2) AS budget,
  start_date,
  start_date + (7 + hash(i, 65) % 50)::INTEGER AS end_date
FROM c
ORDER BY i
)SQL"});

  // --- marketing.leads ----------------------------------------------------------------
  {
    const Plant& tv = FindPlant("marketing.leads", "source");
    const Plant& score = FindPlant("marketing.leads", "score");
    out.push_back({"marketing.leads", R"SQL(
WITH l AS (
  SELECT i,
         hash(i, 41) % 100 < 30 AS converted,
         1 + (hash(i, 42) % )SQL" + Int(n.customers) +
                                          R"SQL()::BIGINT AS ci,
         CASE WHEN )SQL" + PlantedRow("i", n.leads, tv, scale) + R"SQL( THEN 'tv'
              WHEN hash(i, 43) % 100 < 35 THEN 'organic'
              WHEN hash(i, 43) % 100 < 70 THEN 'paid'
              WHEN hash(i, 43) % 100 < 85 THEN 'referral'
              ELSE 'direct' END AS source
  FROM range(1, )SQL" + Int(n.leads + 1) + R"SQL() t(i)
)
SELECT
  'L' || lpad(i::VARCHAR, 9, '0') AS lead_id,
  CASE WHEN converted THEN demo_email_local(ci) || '@' || demo_mail_domain(ci)
       ELSE lower(demo_first(i + 7)) || '.' || lower(demo_last(i + 13)) || '.l' || i::VARCHAR || '@'
            || demo_mail_domain(i + 1) END AS email,
  source,
  CASE WHEN )SQL" + PlantedRow("i", n.leads, score, scale) +
                                          R"SQL( THEN 150 ELSE (hash(i, 44) % 101)::INTEGER END AS score,
  CASE WHEN source IN ('paid', 'referral')
       THEN 'CMP-' || lpad((1 + hash(i, 45) % )SQL" + Int(n.campaigns) +
                                          R"SQL()::VARCHAR, 5, '0') END AS campaign_id,
  CASE WHEN converted THEN demo_customer_id(ci) END AS customer_id,
  TIMESTAMP '2023-07-01 00:00:00' + to_seconds((hash(i, 46) % 63072000)::BIGINT) AS created_at
FROM l
ORDER BY i
)SQL"});
  }

  // --- inventory.warehouses -----------------------------------------------------------
  {
    std::string values;
    for (int64_t w = 0; w < kWarehouseCount; ++w) {
      const auto& r = kWarehouses[w];
      values += std::string(w ? ",\n  " : "  ") + "(" + Int(w + 1) + ", " + SqlQuote(r[0]) + ", " +
                SqlQuote(r[1]) + ", " + SqlQuote(r[2]) + ", " + SqlQuote(r[3]) + ", " + r[4] + ", DATE " +
                SqlQuote(r[5]) + ")";
    }
    out.push_back({"inventory.warehouses",
                   "\nSELECT warehouse_id, name, city, country, capacity_units::INTEGER AS capacity_units, "
                   "opened_date\nFROM (VALUES\n" +
                       values +
                       ") t(w, warehouse_id, name, city, country, capacity_units, opened_date)\nORDER BY w\n"});
  }

  // --- inventory.stock_levels -------------------------------------------------------
  const Plant& negative_stock = FindPlant("inventory.stock_levels", "on_hand");
  const std::string forced = "(w = 1 AND " + PlantedRow("k", n.skus, negative_stock, scale) + ")";
  out.push_back({"inventory.stock_levels", R"SQL(
SELECT
  demo_warehouse_id(w) AS warehouse_id,
  demo_sku_code(k) AS sku,
  CASE WHEN )SQL" + forced + R"SQL( THEN -7 ELSE demo_on_hand(w, k) END AS on_hand,
  (demo_on_hand(w, k) * (hash(w, k, 53) % 20) // 100)::INTEGER AS reserved,
  (20 + hash(w, k, 54) % 80)::INTEGER AS reorder_point,
  TIMESTAMP '2025-06-30 11:00:00' - to_seconds((hash(w, k, 55) % 86400)::BIGINT) AS updated_at
FROM range(1, )SQL" + Int(kWarehouseCount + 1) +
                                              R"SQL() ws(w), range(1, )SQL" + Int(n.skus + 1) + R"SQL() skus(k)
WHERE demo_stocked(w, k) OR )SQL" + forced + R"SQL(
ORDER BY w, k
)SQL"});

  // --- inventory.inventory_snapshots --------------------------------------------------
  {
    const Plant& orphan_pair = FindPlant("inventory.inventory_snapshots", "warehouse_id, sku");
    const int64_t k_orphans = PlantRows(orphan_pair, scale);
    out.push_back({"inventory.inventory_snapshots", R"SQL(
WITH pairs AS (
  SELECT w, k FROM range(1, )SQL" + Int(kWarehouseCount + 1) +
                                                         R"SQL() ws(w), range(1, )SQL" + Int(n.skus + 1) +
                                                         R"SQL() skus(k)
  WHERE demo_stocked(w, k) OR )SQL" + forced + R"SQL(
),
snapshots AS (
  SELECT DATE '2025-06-29' - 7 * (wk - 1)::INTEGER AS snapshot_date, w, k,
         greatest(0, demo_on_hand(w, k) + (hash(w, k, wk, 56) % 41)::INTEGER - 20) AS on_hand
  FROM pairs, range(1, )SQL" + Int(n.snapshot_weeks + 1) +
                                                         R"SQL() weeks(wk)
  UNION ALL
  -- SKUs that no warehouse stocks: snapshot rows without a stock_levels row.
  SELECT DATE '2025-06-29', 1, )SQL" + Int(n.skus) +
                                                         R"SQL( + j, 5
  FROM range(1, )SQL" + Int(k_orphans + 1) + R"SQL() o(j)
)
SELECT snapshot_date, demo_warehouse_id(w) AS warehouse_id, demo_sku_code(k) AS sku, on_hand::INTEGER AS on_hand
FROM snapshots
ORDER BY snapshot_date, w, k
)SQL"});
  }
  return out;
}

Result<std::vector<DemoFile>> GenerateDemoData(const DemoOptions& options) {
  if (!(options.scale > 0) || options.scale > kMaxDemoScale || !std::isfinite(options.scale)) {
    return Status::InvalidArgument("--scale must be a number in (0, " + Int(static_cast<int64_t>(kMaxDemoScale)) +
                                   "]; 1 means one million orders, 0.1 is a quick sample");
  }
  if (options.out_dir.empty()) return Status::InvalidArgument("--out must name a directory");
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) {
    return Status::IoError("cannot create output directory " + options.out_dir.string() + ": " + ec.message());
  }

  engine::DatabaseConfig config;
  config.threads = options.threads;
  ASSIGN_OR_RETURN(engine::Database db, engine::Database::Open(config));
  ASSIGN_OR_RETURN(engine::Connection conn, engine::Connection::Open(db));
  RETURN_IF_ERROR(conn.Execute(DemoSetupSql(options.scale)).WithContext("while preparing the demo generator"));

  const bool parquet = options.format == DemoFormat::kParquet;
  std::vector<DemoFile> files;
  for (const auto& q : DemoQueries(options.scale)) {
    const size_t dot = q.product_id.find('.');
    const std::string domain = q.product_id.substr(0, dot);
    const std::string product = q.product_id.substr(dot + 1);
    std::filesystem::path dir = options.out_dir / domain;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::IoError("cannot create directory " + dir.string() + ": " + ec.message());
    std::filesystem::path file = dir / (product + (parquet ? ".parquet" : ".csv"));
    const std::string copy = "COPY (" + q.select_sql + ") TO " + SqlQuote(file.string()) +
                             (parquet ? " (FORMAT parquet, COMPRESSION zstd)" : " (FORMAT csv, HEADER)");
    const auto start = std::chrono::steady_clock::now();
    auto result = conn.Query(copy);
    if (!result.ok()) return result.status().WithContext("while generating " + q.product_id);
    auto rows = result->ScalarInt64();
    if (!rows.ok()) return rows.status().WithContext("while counting the rows of " + q.product_id);
    files.push_back(
        {q.product_id, file, *rows, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()});
  }
  return files;
}

std::string DemoStockUpdate(int64_t i, const std::string& updated_at) {
  const int64_t on_hand = (i * 7919) % 500;
  return fmt::format(R"({{"warehouse_id":"{}","sku":"SKU-{:06d}","on_hand":{},"reserved":{},"reorder_point":{},"updated_at":"{}"}})",
                     kWarehouses[i % kWarehouseCount][0], 1 + (i / kWarehouseCount) % 2000, on_hand,
                     on_hand * ((i * 31) % 20) / 100, 20 + (i * 13) % 80, updated_at);
}

}  // namespace weft::cli
