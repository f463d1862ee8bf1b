/// The page's only style sheet, inlined so the report works offline. Light and dark themes through CSS
/// variables (`prefers-color-scheme`); the topology SVG takes its colours from the same variables.
/// No `<` or `&` anywhere, so the page stays well-formed XML.
enum HTMLStyleSheet {
    static let css = """
    :root {
      color-scheme: light dark;
      --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --subtle: #f6f8fa; --stripe: #f9fafb;
      --link: #0969da; --code-bg: rgba(129, 139, 152, 0.15);
      --info: #0969da; --info-bg: #ddf4ff; --warning: #9a6700; --warning-bg: #fff8c5; --error: #cf222e; --error-bg: #ffebe9;
      --tep: #1d4ed8; --tep-bg: #dbeafe; --edge: #c2410c; --edge-bg: #ffedd5; --router: #6d28d9; --router-bg: #ede9fe;
      --workload: #4b5563; --workload-bg: #f3f4f6; --external: #a16207; --external-bg: #fef9c3;
      --link-line: #6b7280;
      --seg0: #0e7490; --seg1: #15803d; --seg2: #be185d; --seg3: #7c3aed; --seg4: #b45309; --seg5: #0369a1; --seg6: #4d7c0f; --seg7: #9f1239;
    }
    @media (prefers-color-scheme: dark) {
      :root {
        --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --border: #3d444d; --subtle: #151b23; --stripe: #11161d;
        --link: #4493f8; --code-bg: rgba(101, 108, 118, 0.3);
        --info: #4493f8; --info-bg: #0c2d4f; --warning: #d29922; --warning-bg: #2e2410; --error: #f85149; --error-bg: #3c1618;
        --tep: #79a8ff; --tep-bg: #14254a; --edge: #fb923c; --edge-bg: #3b1d0c; --router: #b69cff; --router-bg: #271b4a;
        --workload: #9ca3af; --workload-bg: #1c2129; --external: #facc15; --external-bg: #332a06;
        --link-line: #8b949e;
        --seg0: #22d3ee; --seg1: #4ade80; --seg2: #f472b6; --seg3: #a78bfa; --seg4: #fbbf24; --seg5: #38bdf8; --seg6: #a3e635; --seg7: #fb7185;
      }
    }
    * { box-sizing: border-box; }
    html { background: var(--bg); }
    body {
      margin: 0; background: var(--bg); color: var(--fg);
      font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif;
      -webkit-text-size-adjust: 100%;
    }
    main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 72px; }
    h1, h2, h3, h4, h5, h6 { line-height: 1.25; margin: 1.6em 0 0.6em; font-weight: 600; }
    h1 { font-size: 1.9em; margin-top: 0; padding-bottom: 0.3em; border-bottom: 1px solid var(--border); }
    h2 { font-size: 1.45em; padding-bottom: 0.25em; border-bottom: 1px solid var(--border); }
    h3 { font-size: 1.2em; }
    h4 { font-size: 1.05em; }
    h5, h6 { font-size: 1em; color: var(--muted); }
    a { color: var(--link); text-decoration: none; }
    a:hover { text-decoration: underline; }
    a.anchor { margin-left: 0.4em; color: var(--muted); font-weight: 400; opacity: 0; }
    h1:hover a.anchor, h2:hover a.anchor, h3:hover a.anchor, h4:hover a.anchor, h5:hover a.anchor, h6:hover a.anchor,
    a.anchor:focus { opacity: 1; }
    p, ul, ol, pre, .table-wrap, .callout, figure { margin: 0 0 14px; }
    ul, ol { padding-left: 1.8em; }
    li + li { margin-top: 0.2em; }
    code, pre, kbd, samp {
      font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
      font-size: 0.86em;
    }
    code { background: var(--code-bg); padding: 0.12em 0.38em; border-radius: 5px; white-space: break-spaces; }
    pre { background: var(--subtle); border: 1px solid var(--border); border-radius: 8px; padding: 12px 16px;
          overflow-x: auto; line-height: 1.45; }
    pre code { background: none; padding: 0; font-size: 1em; white-space: pre; }
    .table-wrap { overflow-x: auto; border: 1px solid var(--border); border-radius: 8px; }
    table { border-collapse: collapse; width: 100%; font-size: 0.9em; font-variant-numeric: tabular-nums; }
    th, td { padding: 6px 12px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--border); }
    th + th, td + td { border-left: 1px solid var(--border); }
    thead th { background: var(--subtle); font-weight: 600; position: sticky; top: 0; white-space: nowrap; }
    tbody tr:nth-child(even) { background: var(--stripe); }
    tbody tr:last-child td { border-bottom: none; }
    th.align-right, td.align-right { text-align: right; }
    th.align-center, td.align-center { text-align: center; }
    td code, th code { white-space: nowrap; font-size: 0.95em; }
    .callout { border: 1px solid var(--border); border-left: 4px solid var(--info); border-radius: 8px;
               padding: 10px 16px; background: var(--info-bg); }
    .callout p { margin: 0 0 6px; }
    .callout p:last-child { margin-bottom: 0; }
    .callout-title { font-weight: 600; color: var(--info); }
    .callout-warning { border-left-color: var(--warning); background: var(--warning-bg); }
    .callout-warning .callout-title { color: var(--warning); }
    .callout-error { border-left-color: var(--error); background: var(--error-bg); }
    .callout-error .callout-title { color: var(--error); }
    details.section { border: 1px solid var(--border); border-radius: 8px; margin: 0 0 12px; background: var(--bg); }
    details.section > summary { cursor: pointer; padding: 8px 14px; list-style-position: inside; border-radius: 8px; }
    details.section > summary:hover { background: var(--subtle); }
    details.section[open] > summary { border-bottom: 1px solid var(--border); border-radius: 8px 8px 0 0; }
    .summary-heading { display: inline; margin: 0; border: none; padding: 0; font-size: 1.05em; }
    .section-body { padding: 12px 16px 2px; }
    figure.topology { margin: 8px 0 18px; padding: 8px; overflow-x: auto; border: 1px solid var(--border);
                      border-radius: 8px; background: var(--subtle); }
    .topology-svg { display: block; margin: 0 auto; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; }
    .topology-svg text { fill: var(--fg); }
    .topology-svg .label { font-size: 13px; font-weight: 600; }
    .topology-svg .sublabel { font-size: 11px; fill: var(--muted);
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; }
    .topology-svg .shape { stroke-width: 1.5; }
    .topology-svg .inner { fill: none; stroke-width: 1; }
    .topology-svg .tep .shape { fill: var(--tep-bg); stroke: var(--tep); }
    .topology-svg .edge .shape { fill: var(--edge-bg); stroke: var(--edge); stroke-width: 2; }
    .topology-svg .edge .inner { stroke: var(--edge); }
    .topology-svg .router .shape { fill: var(--router-bg); stroke: var(--router); }
    .topology-svg .workload .shape { fill: var(--workload-bg); stroke: var(--workload); }
    .topology-svg .external .shape { fill: var(--external-bg); stroke: var(--external); stroke-dasharray: 5 3; }
    .topology-svg .segment .shape { fill: var(--subtle); stroke: var(--seg, var(--seg0)); stroke-width: 2; }
    .topology-svg .seg-0 { --seg: var(--seg0); } .topology-svg .seg-1 { --seg: var(--seg1); }
    .topology-svg .seg-2 { --seg: var(--seg2); } .topology-svg .seg-3 { --seg: var(--seg3); }
    .topology-svg .seg-4 { --seg: var(--seg4); } .topology-svg .seg-5 { --seg: var(--seg5); }
    .topology-svg .seg-6 { --seg: var(--seg6); } .topology-svg .seg-7 { --seg: var(--seg7); }
    .topology-svg .bar { fill: var(--seg, var(--seg0)); }
    .topology-svg .link { fill: none; stroke: var(--link-line); stroke-width: 1.5; }
    .topology-svg .link.tunnel { stroke: var(--tep); stroke-width: 2.5; }
    .topology-svg .link.membership { stroke-dasharray: 4 4; }
    .topology-svg .link.membership.seg-0, .topology-svg .link.membership.seg-1, .topology-svg .link.membership.seg-2,
    .topology-svg .link.membership.seg-3, .topology-svg .link.membership.seg-4, .topology-svg .link.membership.seg-5,
    .topology-svg .link.membership.seg-6, .topology-svg .link.membership.seg-7 { stroke: var(--seg); }
    .topology-svg .link.uplink { stroke: var(--edge); stroke-width: 2; }
    .topology-svg .arrow-head { fill: var(--link-line); }
    .topology-svg .arrow-head.tunnel { fill: var(--tep); }
    .topology-svg .arrow-head.uplink { fill: var(--edge); }
    .topology-svg .link-label rect { fill: var(--subtle); opacity: 0.92; }
    .topology-svg .link-label text { font-size: 11px; fill: var(--muted); }
    .topology-svg .legend-rule { stroke: var(--border); }
    .topology-svg .legend-text { font-size: 12px; fill: var(--muted); }
    @media print {
      main { max-width: none; padding: 0; }
      a.anchor { display: none; }
      thead th { position: static; }
      details.section > summary { list-style: none; }
    }

    """
}
