-- finance.revenue_daily: revenue in EUR per day, billing country and channel.
-- Fixed planning FX rates (EUR per unit of currency), reviewed every quarter.
SELECT
  CAST(o.order_ts AS DATE) AS revenue_date,
  c.country,
  o.channel,
  COUNT(*) AS order_count,
  COUNT(DISTINCT o.customer_id) AS distinct_customers,
  CAST(SUM(o.amount * CASE o.currency
                        WHEN 'EUR' THEN 1.0
                        WHEN 'GBP' THEN 1.17
                        WHEN 'PLN' THEN 0.23
                        WHEN 'SEK' THEN 0.087
                        WHEN 'DKK' THEN 0.134
                        WHEN 'USD' THEN 0.92
                      END) AS DECIMAL(18, 2)) AS revenue_eur
FROM sales.orders o
JOIN customer.customers c USING (customer_id)
WHERE o.status <> 'cancelled'
  AND o.order_ts IS NOT NULL
GROUP BY ALL
