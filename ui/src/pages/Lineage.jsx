import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useApi } from '../lib/hooks.js';
import { productHref } from '../lib/router.js';
import { productOfAddress } from '../lib/format.js';
import { Badge, Empty, ErrorBanner, Loading } from '../components.jsx';

const DIRECTIONS = [
  { key: 'both', label: 'Up- and downstream' },
  { key: 'upstream', label: 'Upstream' },
  { key: 'downstream', label: 'Downstream' },
];

const PALETTE = ['#2457c5', '#2e9e6a', '#b5522b', '#7a4fc2', '#c2417a', '#1f8a99', '#8a7a1f', '#5b6b82'];
function domainColor(domain) {
  let h = 0;
  for (const ch of String(domain)) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

/** lineage JSON → {nodes, edges} with the columns each node shows. */
export function lineageModel(data, focus, focusColumns = []) {
  const nodes = new Map();
  const add = (rawId, extra) => {
    const id = productOfAddress(rawId);
    if (!id) return null;
    let n = nodes.get(id);
    if (!n) {
      n = { id, domain: id.split('.')[0], columns: new Set(), transform: null, focus: false };
      nodes.set(id, n);
    }
    if (extra) Object.assign(n, extra);
    return n;
  };
  add(focus, { focus: true });
  for (const c of focusColumns) nodes.get(focus).columns.add(c);
  for (const p of data.products || []) add(p.id, { domain: p.domain || String(p.id).split('.')[0], transform: p.transform || null });
  const edges = (data.edges || []).map((e, i) => {
    const from = add(e.from || e.address);
    const to = add(e.to);
    const columns = e.columns || [];
    for (const c of columns) {
      from.columns.add(c.input);
      to.columns.add(c.output);
    }
    for (const f of e.filterColumns || []) from.columns.add(f);
    return { id: `e${i}`, from: from.id, to: to.id, address: e.address, columns, filterColumns: e.filterColumns || [], used: e.used !== false };
  });
  return {
    nodes: [...nodes.values()].map((n) => ({ ...n, columns: [...n.columns].sort() })),
    edges,
  };
}

/** Where product.column comes from and where it goes, transitively. */
export function traceColumn(m, product, column) {
  const up = [];
  const down = [];
  const seenUp = new Set();
  const seenDown = new Set();
  const nodes = new Set([product]);
  const edges = new Set();
  const upQueue = [[product, column]];
  while (upQueue.length) {
    const [p, c] = upQueue.shift();
    for (const e of m.edges) {
      if (e.to !== p) continue;
      for (const map of e.columns) {
        if (map.output !== c) continue;
        const key = `${e.from}.${map.input}>${p}.${c}`;
        if (seenUp.has(key)) continue;
        seenUp.add(key);
        up.push({ from: e.from, input: map.input, to: p, output: c, kind: map.kind });
        nodes.add(e.from);
        edges.add(e.id);
        upQueue.push([e.from, map.input]);
      }
    }
  }
  const downQueue = [[product, column]];
  while (downQueue.length) {
    const [p, c] = downQueue.shift();
    for (const e of m.edges) {
      if (e.from !== p) continue;
      for (const map of e.columns) {
        if (map.input !== c) continue;
        const key = `${p}.${c}>${e.to}.${map.output}`;
        if (seenDown.has(key)) continue;
        seenDown.add(key);
        down.push({ from: p, input: c, to: e.to, output: map.output, kind: map.kind });
        nodes.add(e.to);
        edges.add(e.id);
        downQueue.push([e.to, map.output]);
      }
      if (e.filterColumns.includes(c)) {
        const key = `${p}.${c}>${e.to}:filter`;
        if (!seenDown.has(key)) {
          seenDown.add(key);
          down.push({ from: p, input: c, to: e.to, output: null, kind: 'filter' });
          nodes.add(e.to);
          edges.add(e.id);
        }
      }
    }
  }
  return { up, down, nodes, edges };
}

let cytoscapeLoading = null;
function loadCytoscape() {
  if (!cytoscapeLoading) {
    cytoscapeLoading = Promise.all([import('cytoscape'), import('cytoscape-dagre')]).then(([cy, dagre]) => {
      const cytoscape = cy.default || cy;
      cytoscape.use(dagre.default || dagre);
      return cytoscape;
    });
    cytoscapeLoading.catch(() => {
      cytoscapeLoading = null;
    });
  }
  return cytoscapeLoading;
}

const STYLE = [
  {
    selector: 'node',
    style: {
      shape: 'round-rectangle',
      'background-color': 'data(color)',
      'background-opacity': 0.12,
      'border-width': 1.5,
      'border-color': 'data(color)',
      label: 'data(label)',
      color: '#1d2939',
      'font-size': 12,
      'text-valign': 'center',
      'text-halign': 'center',
      width: 'label',
      height: 34,
      padding: '10px',
    },
  },
  { selector: 'node.focus', style: { 'border-width': 3, 'font-weight': 'bold', 'background-opacity': 0.25 } },
  { selector: 'node:selected', style: { 'border-color': '#101828', 'border-width': 3, 'overlay-opacity': 0 } },
  { selector: 'node.trace', style: { 'background-color': '#f5b700', 'background-opacity': 0.35, 'border-color': '#b38600' } },
  { selector: 'node.dim', style: { opacity: 0.35 } },
  {
    selector: 'edge',
    style: {
      width: 2,
      'line-color': '#98a2b3',
      'target-arrow-color': '#98a2b3',
      'target-arrow-shape': 'triangle',
      'curve-style': 'bezier',
      label: 'data(label)',
      'font-size': 10,
      color: '#667085',
      'text-background-color': '#fff',
      'text-background-opacity': 0.9,
      'text-background-padding': '2px',
    },
  },
  { selector: 'edge.unused', style: { 'line-style': 'dashed' } },
  { selector: 'edge:selected', style: { 'line-color': '#101828', 'target-arrow-color': '#101828', width: 3, 'overlay-opacity': 0 } },
  { selector: 'edge.trace', style: { 'line-color': '#d49b00', 'target-arrow-color': '#d49b00', width: 3.5 } },
  { selector: 'edge.dim', style: { opacity: 0.3 } },
];

function Graph({ m, selected, onSelect, trace }) {
  const box = useRef(null);
  const cyRef = useRef(null);
  const [error, setError] = useState(null);
  const [ready, setReady] = useState(false);
  const select = useRef(onSelect);
  select.current = onSelect;

  useEffect(() => {
    let alive = true;
    loadCytoscape().then(
      (cytoscape) => {
        if (!alive || !box.current) return;
        if (cyRef.current) cyRef.current.destroy();
        const elements = [
          ...m.nodes.map((n) => ({
            data: { id: n.id, label: n.id, color: domainColor(n.domain) },
            classes: n.focus ? 'focus' : '',
          })),
          ...m.edges.map((e) => ({
            data: {
              id: e.id,
              source: e.from,
              target: e.to,
              label: (() => {
                const n = new Set(e.columns.map((c) => c.output)).size;
                return n ? `${n} column${n === 1 ? '' : 's'}` : '';
              })(),
            },
            classes: e.used ? '' : 'unused',
          })),
        ];
        const cy = cytoscape({
          container: box.current,
          elements,
          style: STYLE,
          layout: { name: 'dagre', rankDir: 'LR', nodeSep: 30, rankSep: 90, padding: 20 },
          minZoom: 0.3,
          maxZoom: 2.5,
          wheelSensitivity: 0.3,
          boxSelectionEnabled: false,
          autoungrabify: false,
        });
        cy.on('tap', 'node', (ev) => select.current({ node: ev.target.id() }));
        cy.on('tap', 'edge', (ev) => select.current({ edge: ev.target.id() }));
        cy.fit(undefined, 30);
        if (cy.zoom() > 1.4) {
          cy.zoom(1.4);
          cy.center();
        }
        cyRef.current = cy;
        box.current.__cy = cy; // for debugging and browser tests
        setReady(true);
      },
      (e) => alive && setError({ title: 'Graph unavailable', detail: String(e && e.message ? e.message : e) }),
    );
    return () => {
      alive = false;
    };
  }, [m]);

  useEffect(
    () => () => {
      if (cyRef.current) cyRef.current.destroy();
      cyRef.current = null;
    },
    [],
  );

  // Selection and column-trace highlighting.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy || !ready) return;
    cy.batch(() => {
      cy.elements().unselect().removeClass('trace dim');
      if (selected && selected.node) cy.getElementById(selected.node).select();
      if (selected && selected.edge) cy.getElementById(selected.edge).select();
      if (trace) {
        cy.nodes().forEach((n) => {
          if (trace.nodes.has(n.id())) n.addClass('trace');
          else n.addClass('dim');
        });
        cy.edges().forEach((e) => {
          if (trace.edges.has(e.id())) e.addClass('trace');
          else e.addClass('dim');
        });
      }
    });
  }, [selected, trace, ready]);

  return (
    <div class="graph-wrap">
      <ErrorBanner error={error} />
      <div class="graph" ref={box} data-testid="lineage-graph" data-ready={ready ? 'true' : 'false'} aria-label="Lineage graph" role="img" />
      {!ready && !error ? <Loading label="Laying out the graph…" /> : null}
      <div class="graph-tools">
        <button type="button" class="btn btn-small" onClick={() => cyRef.current && cyRef.current.fit(undefined, 30)}>
          Fit
        </button>
      </div>
    </div>
  );
}

function Mapping({ step, onColumn, compact }) {
  const name = (product, column) => (compact ? <strong>{column}</strong> : <>{product}.<strong>{column}</strong></>);
  return (
    <li class="mapping">
      <button type="button" class="btn-link" onClick={() => onColumn(step.from, step.input)} title={`${step.from}.${step.input}`}>
        {name(step.from, step.input)}
      </button>
      <span class="arrow">→</span>
      {step.output ? (
        <button type="button" class="btn-link" onClick={() => onColumn(step.to, step.output)} title={`${step.to}.${step.output}`}>
          {name(step.to, step.output)}
        </button>
      ) : (
        <span>
          {step.to} <span class="muted">(filter / join)</span>
        </span>
      )}
      <Badge kind="neutral">{step.kind}</Badge>
    </li>
  );
}

function EdgeColumns({ edge, onColumn }) {
  return (
    <div class="edge-columns">
      <div class="edge-title">
        <strong>{edge.from}</strong> → <strong>{edge.to}</strong> {edge.used ? null : <Badge kind="muted">declared, not read</Badge>}
      </div>
      {edge.columns.length ? (
        <ul class="plain">
          {edge.columns.map((c, i) => (
            <Mapping key={i} compact step={{ from: edge.from, input: c.input, to: edge.to, output: c.output, kind: c.kind }} onColumn={onColumn} />
          ))}
        </ul>
      ) : (
        <p class="muted small">No column lineage recorded for this edge.</p>
      )}
      {edge.filterColumns.length ? (
        <p class="small">
          Filters and joins on: {edge.filterColumns.map((f) => <code key={f}>{f}</code>).reduce((a, b) => [a, ', ', b])}
        </p>
      ) : null}
    </div>
  );
}

function ColumnPanel({ m, selected, column, trace, onColumn }) {
  if (column && trace)
    return (
      <div class="column-lineage" data-testid="column-lineage">
        <div class="panel-head">
          <h3 data-testid="column-lineage-title">
            {column.product}.<strong>{column.column}</strong>
          </h3>
          <button type="button" class="btn btn-small" onClick={() => onColumn(null)} data-testid="column-lineage-close" title={`Back to ${column.product}`}>
            Back
          </button>
        </div>
        <h4>Comes from</h4>
        {trace.up.length ? (
          <ul class="plain" data-testid="column-lineage-upstream">
            {trace.up.map((s, i) => (
              <Mapping key={i} step={s} onColumn={onColumn} />
            ))}
          </ul>
        ) : (
          <p class="muted small">No upstream column: a source column (or not derived column by column).</p>
        )}
        <h4>Flows into</h4>
        {trace.down.length ? (
          <ul class="plain" data-testid="column-lineage-downstream">
            {trace.down.map((s, i) => (
              <Mapping key={i} step={s} onColumn={onColumn} />
            ))}
          </ul>
        ) : (
          <p class="muted small">No product in this graph reads it.</p>
        )}
      </div>
    );
  if (selected && selected.edge) {
    const edge = m.edges.find((e) => e.id === selected.edge);
    if (edge)
      return (
        <div class="column-lineage" data-testid="column-lineage">
          <h3>Edge</h3>
          <EdgeColumns edge={edge} onColumn={onColumn} />
        </div>
      );
  }
  const node = m.nodes.find((n) => selected && n.id === selected.node) || m.nodes.find((n) => n.focus);
  if (!node) return null;
  const incoming = m.edges.filter((e) => e.to === node.id);
  const outgoing = m.edges.filter((e) => e.from === node.id);
  return (
    <div class="column-lineage" data-testid="column-lineage">
      <div class="panel-head">
        <h3 data-testid="column-lineage-title">{node.id}</h3>
        {!node.focus ? (
          <a class="btn btn-small" href={productHref(node.id, { tab: 'lineage' })} data-testid={`lineage-open-${node.id}`}>
            Open
          </a>
        ) : null}
      </div>
      {node.transform && node.transform.state ? (
        <p class="small">
          Derived product · transform <Badge kind="neutral">{node.transform.state}</Badge>
        </p>
      ) : null}
      <h4>Columns</h4>
      {node.columns.length ? (
        <div class="column-chips">
          {node.columns.map((c) => (
            <button key={c} type="button" class="chip chip-button" onClick={() => onColumn(node.id, c)} data-testid={`lineage-column-${node.id}:${c}`}>
              {c}
            </button>
          ))}
        </div>
      ) : (
        <p class="muted small">No column lineage through this product.</p>
      )}
      <p class="hint">Click a column to trace it up- and downstream.</p>
      {incoming.length ? <h4>Derived from</h4> : null}
      {incoming.map((e) => (
        <EdgeColumns key={e.id} edge={e} onColumn={onColumn} />
      ))}
      {outgoing.length ? <h4>Feeds</h4> : null}
      {outgoing.map((e) => (
        <EdgeColumns key={e.id} edge={e} onColumn={onColumn} />
      ))}
      {!incoming.length && !outgoing.length ? <p class="muted small">No edges.</p> : null}
    </div>
  );
}

/** The product's own columns (its current version's schema), so each can be traced. */
function schemaColumns(product) {
  if (!product || !product.versions) return [];
  const v = product.versions.find((x) => x.version === product.version) || product.versions[0];
  return v && v.columns ? [...new Set(v.columns.map((c) => c.name))] : [];
}

export function Lineage({ id, product }) {
  const focusColumns = useMemo(() => schemaColumns(product), [product]);
  const [direction, setDirection] = useState('both');
  const state = useApi(`/products/${encodeURIComponent(id)}/lineage`, { direction });
  const m = useMemo(() => (state.data ? lineageModel(state.data, id, focusColumns) : null), [state.data, id, focusColumns]);
  const [selected, setSelected] = useState({ node: id });
  const [column, setColumn] = useState(null);
  const trace = useMemo(() => (m && column ? traceColumn(m, column.product, column.column) : null), [m, column]);

  useEffect(() => {
    setSelected({ node: id });
    setColumn(null);
  }, [id, direction]);

  const onColumn = (product, col) => {
    if (!product) {
      setColumn(null);
      return;
    }
    setSelected({ node: product });
    setColumn({ product, column: col });
  };
  const onSelect = (sel) => {
    setSelected(sel);
    setColumn(null);
  };

  return (
    <div class="lineage">
      <div class="lineage-controls" role="radiogroup" aria-label="Direction">
        {DIRECTIONS.map((d) => (
          <button
            key={d.key}
            type="button"
            role="radio"
            aria-checked={direction === d.key}
            class={direction === d.key ? 'seg active' : 'seg'}
            onClick={() => setDirection(d.key)}
            data-testid={`lineage-direction-${d.key}`}
          >
            {d.label}
          </button>
        ))}
      </div>
      <ErrorBanner error={state.error} testid="lineage-error" />
      {state.loading && !m ? <Loading label="Loading lineage…" /> : null}
      {m && m.nodes.length <= 1 && !m.edges.length ? (
        <Empty testid="lineage-empty">
          {id} is not derived from any product{direction === 'both' ? ', and no product is derived from it' : ''}.
        </Empty>
      ) : null}
      {m && (m.nodes.length > 1 || m.edges.length) ? (
        <div class="lineage-grid">
          <div>
            <Graph m={m} selected={selected} onSelect={onSelect} trace={trace} />
            <div class="node-list" aria-label="Products in the graph">
              {m.nodes.map((n) => (
                <button
                  key={n.id}
                  type="button"
                  class={`chip chip-button ${selected && selected.node === n.id ? 'on' : ''} ${n.focus ? 'focus' : ''}`}
                  style={{ borderColor: domainColor(n.domain) }}
                  onClick={() => onSelect({ node: n.id })}
                  data-testid={`lineage-node-${n.id}`}
                >
                  {n.id}
                </button>
              ))}
            </div>
          </div>
          <ColumnPanel m={m} selected={selected} column={column} trace={trace} onColumn={onColumn} />
        </div>
      ) : null}
    </div>
  );
}
