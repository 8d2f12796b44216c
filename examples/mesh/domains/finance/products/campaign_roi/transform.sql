-- finance.campaign_roi: leads, conversions and attributed EUR revenue per campaign.
WITH lead_stats AS (
  SELECT campaign_id,
         COUNT(*) AS leads,
         COUNT(DISTINCT customer_id) AS converted_customers
  FROM marketing.leads
  WHERE campaign_id IS NOT NULL
  GROUP BY campaign_id
),
attributed AS (
  SELECT l.campaign_id,
         SUM(o.amount * CASE o.currency
                          WHEN 'EUR' THEN 1.0
                          WHEN 'GBP' THEN 1.17
                          WHEN 'PLN' THEN 0.23
                          WHEN 'SEK' THEN 0.087
                          WHEN 'DKK' THEN 0.134
                          WHEN 'USD' THEN 0.92
                        END) AS revenue_eur
  FROM marketing.leads l
  JOIN sales.orders o
    ON o.customer_id = l.customer_id
   AND o.order_ts >= l.created_at
  WHERE l.campaign_id IS NOT NULL
    AND o.status NOT IN ('cancelled', 'returned')
  GROUP BY l.campaign_id
)
SELECT
  c.campaign_id,
  c.name AS campaign_name,
  c.channel,
  c.budget AS budget_eur,
  COALESCE(s.leads, 0) AS leads,
  COALESCE(s.converted_customers, 0) AS converted_customers,
  CAST(COALESCE(a.revenue_eur, 0) AS DECIMAL(18, 2)) AS attributed_revenue_eur,
  CASE WHEN c.budget > 0
       THEN CAST(ROUND((COALESCE(a.revenue_eur, 0) - c.budget) / c.budget, 4) AS DOUBLE)
  END AS roi
FROM marketing.campaigns c
LEFT JOIN lead_stats s USING (campaign_id)
LEFT JOIN attributed a USING (campaign_id)
