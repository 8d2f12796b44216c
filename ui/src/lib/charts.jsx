// Chart.js, loaded on first use and registered with only the pieces we draw.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorBanner, Loading } from '../components.jsx';

let loading = null;
export function loadChart() {
  if (!loading) {
    loading = import('chart.js').then((m) => {
      m.Chart.register(
        m.BarController,
        m.BarElement,
        m.LineController,
        m.LineElement,
        m.PointElement,
        m.CategoryScale,
        m.LinearScale,
        m.LogarithmicScale,
        m.Tooltip,
        m.Legend,
        m.Filler,
      );
      m.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
      m.Chart.defaults.color = '#475467';
      m.Chart.defaults.animation = false;
      return m.Chart;
    });
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/** A canvas drawn by Chart.js from config (re-drawn when config changes). */
export function ChartCanvas({ config, testid, height = 280, label }) {
  const canvas = useRef(null);
  const chart = useRef(null);
  const [error, setError] = useState(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let alive = true;
    loadChart().then(
      (Chart) => {
        if (!alive || !canvas.current) return;
        if (chart.current) chart.current.destroy();
        chart.current = new Chart(canvas.current, { ...config, options: { responsive: true, maintainAspectRatio: false, ...(config.options || {}) } });
        setReady(true);
      },
      (e) => alive && setError({ title: 'Chart unavailable', detail: String(e && e.message ? e.message : e) }),
    );
    return () => {
      alive = false;
    };
  }, [config]);
  useEffect(
    () => () => {
      if (chart.current) chart.current.destroy();
      chart.current = null;
    },
    [],
  );
  return (
    <div class="chart" data-testid={testid} data-ready={ready ? 'true' : 'false'} style={{ height: `${height}px` }}>
      <ErrorBanner error={error} />
      {!ready && !error ? <Loading label="Drawing chart…" /> : null}
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
