# ruff: noqa: E501  (HTML markup, kept one element per line)
"""The Jinja2 template of the HTML executive review (self-contained: CSS inline, images as data
URIs). Rendered by :func:`podium.learn.report.render_html` with autoescaping on."""

from __future__ import annotations

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #0f172a;
       margin: 0; background: #f8fafc; }
main { max-width: 1100px; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
header { border-bottom: 3px solid #2563eb; margin-bottom: 1.5rem; padding-bottom: 0.8rem; }
h1 { font-size: 1.9rem; margin: 0 0 0.3rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 0.6rem; border-bottom: 1px solid #e2e8f0; }
.muted { color: #64748b; } .small { font-size: 0.85em; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 0.8rem; }
.card { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 0.8rem 1rem; }
.card .title { color: #475569; font-size: 0.9em; }
.card .value { font-size: 1.7rem; font-weight: 700; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 0.92em; }
th, td { border-bottom: 1px solid #e2e8f0; padding: 0.35rem 0.5rem; text-align: left;
         vertical-align: top; }
th { background: #f1f5f9; } td.num, th.num { text-align: right; white-space: nowrap; }
.badge { display: inline-block; padding: 0.05rem 0.45rem; border-radius: 999px; font-size: 0.8em;
         background: #e2e8f0; }
.s-ok, .s-excellent, .s-good, .a-deepen { background: #dcfce7; color: #166534; }
.s-warning, .s-watch, .a-redesign { background: #fef3c7; color: #92400e; }
.s-breach, .s-poor, .a-exit { background: #fee2e2; color: #991b1b; }
figure { margin: 1rem 0; background: #fff; border: 1px solid #e2e8f0; border-radius: 8px;
         padding: 0.5rem; }
figure img { max-width: 100%; height: auto; display: block; margin: 0 auto; }
figcaption { color: #64748b; font-size: 0.85em; padding: 0.3rem 0.5rem; }
ul.reasons { margin: 0; padding-left: 1.1rem; }
.note { color: #475569; background: #f1f5f9; border-radius: 6px; padding: 0.5rem 0.8rem; }
@media print { body { background: #fff; } figure, .card { break-inside: avoid; } }
"""

TEMPLATE = (
    """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Executive ecosystem review · {{ report.title }} · {{ report.period }}</title>
<style>"""
    + CSS
    + """</style>
</head>
<body><main>
<header>
  <h1>Executive ecosystem review</h1>
  <div><strong>{{ report.title }}</strong> · {{ report.period }}
    <span class="muted small">(trend over {{ report.periods | join(", ") }})</span></div>
  <div class="muted small">Generated {{ report.generated_at.strftime("%d %b %Y %H:%M UTC") }},
    {% if report.audience %}for partner {{ report.audience }}: its own numbers only{% else %}the orchestrator's view{% endif %}.</div>
</header>

<section id="summary">
  <h2>Headline KPIs</h2>
  <div class="cards">
  {% for row in headline %}
    <div class="card" data-kpi="{{ row.line.key }}">
      <div class="title">{{ row.line.title }}</div>
      <div class="value">{{ row.value }}</div>
      <div class="small">{% if row.line.status %}<span class="badge s-{{ row.line.status }}">{{ row.status }}</span>{% else %}<span class="muted">no target</span>{% endif %}
        <span class="muted">change {{ row.change }} · basis {{ row.line.basis }}</span></div>
    </div>
  {% endfor %}
  </div>
  {% set breached = report.breaches() %}
  <p class="note">Targets breached: {% for k in breached %}{{ k.title }}{{ ", " if not loop.last }}{% else %}none{% endfor %}.
  {% for n in report.notes %} {{ n }}{% endfor %}</p>
</section>

<section id="kpis">
  <h2>KPIs of {{ report.period }}</h2>
  <table>
    <thead><tr><th>KPI</th><th class="num">Value</th><th class="num">Basis</th><th class="num">Change</th><th class="num">Target</th><th>Status</th></tr></thead>
    <tbody>
    {% for row in kpis %}
      <tr data-kpi="{{ row.line.key }}"><td>{{ row.line.title }}</td><td class="num">{{ row.value }}</td>
        <td class="num">{{ row.line.basis }}</td><td class="num">{{ row.change }}</td><td class="num">{{ row.target }}</td>
        <td>{% if row.line.status %}<span class="badge s-{{ row.line.status }}">{{ row.status }}</span>{% else %}<span class="muted">{{ dash }}</span>{% endif %}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% if images.trends %}
  <figure id="kpi-trends"><img alt="KPI trends over {{ report.periods | join(', ') }}" src="{{ images.trends }}">
    <figcaption>Each KPI over the last {{ report.periods | length }} periods; dashed: its target.</figcaption></figure>
  {% else %}<p class="note">No KPI has data in these periods.</p>{% endif %}
</section>

<section id="scorecards">
  <h2>Partner scorecards <span class="muted small">({{ report.definition }})</span></h2>
  {% if images.scorecards %}
  <figure id="scorecard-chart"><img alt="Scorecard totals by partner" src="{{ images.scorecards }}">
    <figcaption>Totals 0-100, coloured by standing.</figcaption></figure>
  {% endif %}
  {% if report.scorecards %}
  <table>
    <thead><tr><th>Partner</th><th class="num">Total</th><th>Standing</th><th>Trend</th><th class="num">Coverage</th><th>Criteria (value, score)</th></tr></thead>
    <tbody>
    {% for c in report.scorecards %}
      <tr data-partner="{{ c.partner }}"><td>{{ c.name or c.partner }}</td><td class="num">{{ c.total | score }}</td>
        <td>{% if c.standing %}<span class="badge s-{{ c.standing }}">{{ c.standing }}</span>{% else %}{{ dash }}{% endif %}</td>
        <td>{{ c.direction }} <span class="muted small">({% for t in c.history %}{{ t | score }}{{ " → " if not loop.last }}{% endfor %})</span></td>
        <td class="num">{{ "%.0f%%" % (100 * c.coverage) }}</td>
        <td class="small">{% for k in c.criteria %}{{ k.title }}: {{ format_value(k.value, k.unit, "higher", report.currency) }} ({{ k.score | score }}){{ "; " if not loop.last }}{% endfor %}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}<p class="note">No partner to score.</p>{% endif %}
</section>

{% if report.exposure is not none %}
<section id="exposure">
  {% set e = report.exposure %}
  <h2>Exposure <span class="muted small">(stress test #{{ e.run }}{% if e.finished %}, {{ e.finished }}{% endif %}, by {{ e.by }})</span></h2>
  <p>{{ e.scenarios }} scenarios, {{ e.with_impact }} with a profit impact; the worst loses {{ "{:,.0f}".format(e.worst_impact) }} {{ e.currency }}.
    {% for n in e.notes %}<span class="muted">{{ n }}</span> {% endfor %}</p>
  {% if images.exposure %}<figure id="exposure-chart"><img alt="Worst scenarios by Risk Exposure Index" src="{{ images.exposure }}"></figure>{% endif %}
  {% if images.network %}<figure id="exposure-map"><img alt="Supply network by tier coloured by REI" src="{{ images.network }}">
    <figcaption>Sites and actors by supply tier, coloured by the worst REI of a scenario that takes them down; grey: not in the test.</figcaption></figure>{% endif %}
</section>
{% elif not report.audience %}
<section id="exposure"><h2>Exposure</h2><p class="note">No stress test is stored: run one under Map to see the exposure.</p></section>
{% endif %}

{% if report.segments is not none %}
<section id="recommendations">
  <h2>Segments and recommendations</h2>
  {% if report.segments %}
  <table>
    <thead><tr><th>Partner</th><th>Segment</th><th>Action</th><th>Why</th></tr></thead>
    <tbody>
    {% for s in report.segments %}
      <tr data-partner="{{ s.partner }}"><td>{{ s.name or s.partner }}</td><td>{{ s.segment }}</td>
        <td><span class="badge a-{{ s.action }}">{{ s.action }}</span></td>
        <td><strong>{{ s.summary }}</strong><ul class="reasons">{% for r in s.reasons %}<li>{{ r }}</li>{% endfor %}</ul></td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}<p class="note">No relationship to segment.</p>{% endif %}
</section>
{% endif %}

<section id="initiatives">
  <h2>Joint initiatives</h2>
  {% if report.initiatives %}
  <table>
    <thead><tr><th>Initiative</th><th>Partners</th><th>Started</th><th>Launched</th><th class="num">Value created</th></tr></thead>
    <tbody>
    {% for i in report.initiatives %}
      <tr><td>{{ i.title }} <span class="muted small">{{ i.key }}</span></td><td>{{ i.partners | join(", ") }}</td>
        <td>{{ i.started_on }}</td><td>{{ i.launched_on or dash }}</td><td class="num">{{ "{:,.0f}".format(i.value_created) }} {{ i.currency }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}<p class="note">No joint initiative was active in the period.</p>{% endif %}
</section>

<section id="learning-log">
  <h2>Learning log</h2>
  {% if report.log %}
  <table>
    <thead><tr><th>Review</th><th>Kind</th><th>Lesson</th><th>Partners</th><th>Links</th></tr></thead>
    <tbody>
    {% for e in report.log %}
      <tr><td>{{ e.review }} <span class="muted small">{{ e.subject }}</span></td><td>{{ e.kind | replace("_", " ") }}</td>
        <td>{{ e.text }}</td><td>{{ e.partners | join(", ") }}</td><td class="small">{{ e.links | join(", ") }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}<p class="note">No review recorded for the period yet.</p>{% endif %}
</section>
</main></body>
</html>
"""
)
