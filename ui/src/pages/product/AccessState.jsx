import { href } from '../../lib/router.js';
import { Badge } from '../../components.jsx';

/** The caller's one access state (viewer.state): owner, access, pending or none. */
export function accessSummary(viewer) {
  const v = viewer || {};
  const masked = Object.values(v.columns || {}).filter((x) => x !== 'clear').length;
  const parts = [];
  if (masked) parts.push(`${masked} column${masked === 1 ? '' : 's'} masked`);
  if (v.hiddenColumns) parts.push(`${v.hiddenColumns} column${v.hiddenColumns === 1 ? '' : 's'} not granted`);
  if (v.rowFilter) parts.push('rows filtered');
  return parts;
}

export function AccessStateBadge({ viewer }) {
  const v = viewer || {};
  const state = v.state || (v.isOwner ? 'owner' : v.canRead ? 'access' : 'none');
  if (state === 'owner')
    return (
      <Badge kind="info" testid="access-state" title="Your team produces this product: you read it whole and manage it">
        you own this
      </Badge>
    );
  if (state === 'access') {
    const parts = accessSummary(v);
    return (
      <Badge kind={parts.length ? 'warn' : 'ok'} testid="access-state" title="What your grants let you read">
        {parts.length ? `you have access: ${parts.join(', ')}` : 'you have full access'}
      </Badge>
    );
  }
  if (state === 'pending')
    return (
      <a href={href('/access', { tab: 'mine' })} data-testid="access-state-link">
        <Badge kind="warn" testid="access-state" title="Your access request waits for the owners' decision">
          request #{v.pendingRequest} pending
        </Badge>
      </a>
    );
  return (
    <Badge kind="warn" testid="access-state" title="You may read this product's description, not its data">
      no access
    </Badge>
  );
}
