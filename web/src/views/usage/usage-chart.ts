import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { h } from '../../dom';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export type UsageChart = ReturnType<typeof usageChart>;

export interface Series {
  label: string;
  /** One value per label (bucket). */
  values: number[];
}

const PALETTE = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2', '#ca8a04', '#dc2626', '#4b5563', '#65a30d'];

/**
 * A stacked bar chart (Chart.js) over time buckets, with the same numbers in a table for screen
 * readers and for anyone who wants exact figures. `data-points` counts the non-zero bars drawn.
 */
export function usageChart(): {
  element: HTMLElement;
  set(labels: string[], series: Series[], format: (v: number) => string, title: string, axis?: (v: number) => string): void;
  destroy(): void;
} {
  const canvas = h('canvas', { role: 'img' });
  const table = h('table', { class: 'chart-table' });
  const element = h(
    'figure',
    { class: 'chart' },
    h('div', { class: 'chart-box' }, canvas),
    h('details', {}, h('summary', {}, 'Chart data as a table'), h('div', { class: 'table-wrap' }, table)),
  );
  let chart: Chart<'bar'> | null = null;

  return {
    element,
    set(labels, series, format, title, axis = format) {
      const points = series.reduce((n, s) => n + s.values.filter((v) => v !== 0).length, 0);
      const total = series.reduce((n, s) => n + s.values.reduce((a, b) => a + b, 0), 0);
      element.dataset.points = String(points);
      element.dataset.total = String(total);
      canvas.setAttribute('aria-label', `${title}: ${series.length} series over ${labels.length} periods, ${format(total)} in total`);
      const datasets = series.map((s, i) => ({
        label: s.label,
        data: s.values,
        backgroundColor: PALETTE[i % PALETTE.length],
        stack: 'usage',
      }));
      if (chart) {
        chart.data.labels = labels;
        chart.data.datasets = datasets;
        const y = chart.options.scales?.y;
        if (y?.ticks) y.ticks.callback = (v) => axis(Number(v));
        chart.update();
      } else {
        chart = new Chart(canvas, {
          type: 'bar',
          data: { labels, datasets },
          options: {
            animation: false,
            responsive: true,
            maintainAspectRatio: false,
            scales: {
              x: { stacked: true },
              y: { stacked: true, beginAtZero: true, ticks: { callback: (v) => axis(Number(v)) } },
            },
            plugins: {
              legend: { position: 'bottom' },
              tooltip: { callbacks: { label: (c) => `${c.dataset.label ?? ''}: ${format(Number(c.raw))}` } },
            },
          },
        });
      }
      table.replaceChildren(
        h('caption', {}, title),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Period'), series.map((s) => h('th', { scope: 'col' }, s.label)))),
        h(
          'tbody',
          {},
          labels.map((l, i) => h('tr', {}, h('th', { scope: 'row' }, l), series.map((s) => h('td', {}, format(s.values[i] ?? 0))))),
        ),
      );
    },
    destroy() {
      chart?.destroy();
      chart = null;
    },
  };
}
