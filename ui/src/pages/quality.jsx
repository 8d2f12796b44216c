import { Badge } from '../components.jsx';

const QUALITY_KIND = {
  pass: 'ok',
  passed: 'ok',
  passing: 'ok',
  good: 'ok',
  ok: 'ok',
  high: 'ok',
  warn: 'warn',
  warning: 'warn',
  warnings: 'warn',
  medium: 'warn',
  fail: 'bad',
  failed: 'bad',
  failing: 'bad',
  rejected: 'bad',
  low: 'bad',
  bad: 'bad',
  none: 'muted',
  unknown: 'muted',
};

/**
 * The search hit's / product's quality: a word ("passing", "failing"…), a
 * score (0–1 or 0–100), or an object {state|status, score, passed, failed}.
 */
export function QualityBadge({ quality, testid }) {
  if (quality === null || quality === undefined || quality === '') return null;
  if (typeof quality === 'number') {
    const pct = quality <= 1 ? quality * 100 : quality;
    const kind = pct >= 99 ? 'ok' : pct >= 90 ? 'warn' : 'bad';
    return (
      <Badge kind={kind} testid={testid} title="Share of quality rules passed at the last publish">
        quality {Math.round(pct)}%
      </Badge>
    );
  }
  if (typeof quality === 'object') {
    const word = quality.state || quality.status || quality.outcome;
    if (word) return <QualityBadge quality={String(word)} testid={testid} />;
    if (typeof quality.score === 'number') return <QualityBadge quality={quality.score} testid={testid} />;
    if (typeof quality.passed === 'number' && typeof quality.failed === 'number') {
      const total = quality.passed + quality.failed;
      return total ? <QualityBadge quality={quality.passed / total} testid={testid} /> : null;
    }
    return null;
  }
  const text = String(quality);
  return (
    <Badge kind={QUALITY_KIND[text.toLowerCase()] || 'neutral'} testid={testid} title="Quality at the last publish">
      quality: {text}
    </Badge>
  );
}
