/* KPI page charts: an addition to the data table, which always holds every figure.
 * Reads the JSON the page embeds (#kpi-chart-data) and draws, with the vendored
 * Chart.js, each unit's figure per stage as bars and its target as a dashed mark. */
(function () {
  "use strict";
  var source = document.getElementById("kpi-chart-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var stageColours = ["#9db7d5", "#4a7fb5", "#0b4f8a"];
  var targetColour = "#a4262c";

  function allEqual(values) {
    var present = values.filter(function (value) { return value !== null; });
    return present.length > 0 && present.every(function (value) { return value === present[0]; });
  }

  /* A figure that is "not available" has no bar: write the words where it would stand, so
   * it cannot be mistaken for a 0 (drawn as a thin bar, see minBarLength). */
  var notesPlugin = {
    id: "notes",
    afterDatasetsDraw: function (chart) {
      var context = chart.ctx;
      var baseline = chart.scales.y.getPixelForValue(0);
      chart.data.datasets.forEach(function (dataset, index) {
        if (!dataset.notes) { return; }
        var meta = chart.getDatasetMeta(index);
        dataset.notes.forEach(function (note, position) {
          var bar = meta.data[position];
          if (!note || !bar || meta.hidden) { return; }
          context.save();
          context.translate(bar.x, baseline - 4);
          context.rotate(-Math.PI / 2);
          context.fillStyle = "#5a6472";
          context.font = "12px system-ui, sans-serif";
          context.fillText(note, 0, 4);
          context.restore();
        });
      });
    }
  };

  function draw(canvas, series) {
    var targets = series.targets || [];
    var datasets = series.datasets.map(function (dataset, index) {
      return {
        type: "bar",
        label: dataset.label,
        data: dataset.data,
        backgroundColor: stageColours[index % stageColours.length],
        borderWidth: 0,
        minBarLength: 3,
        notes: dataset.notes,
        order: 2
      };
    });
    if (targets.some(function (value) { return value !== null; })) {
      datasets.push({
        type: "line",
        label: canvas.dataset.targetLabel || "Target",
        data: targets,
        borderColor: targetColour,
        backgroundColor: targetColour,
        borderDash: [6, 4],
        borderWidth: 2,
        showLine: allEqual(targets),
        pointStyle: "line",
        pointRadius: 14,
        pointBorderWidth: 3,
        order: 1
      });
    }
    canvas.closest("figure").hidden = false;
    return new window.Chart(canvas, {
      plugins: [notesPlugin],
      data: { labels: series.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom", labels: { font: { size: 14 } } },
          tooltip: {
            callbacks: {
              label: function (context) {
                var value = context.parsed.y;
                return context.dataset.label + ": " + (value === null ? "—" : value.toLocaleString());
              }
            }
          }
        },
        scales: {
          x: { ticks: { font: { size: 14 }, autoSkip: true, maxRotation: 60 } },
          y: { beginAtZero: true, ticks: { font: { size: 13 } }, title: { display: !!data.unit, text: data.unit } }
        }
      }
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var series = data[canvas.dataset.chart];
    if (series && series.labels.length) {
      draw(canvas, series);
    }
  });

  /* Charts are drawn for the screen; let the browser redraw them at print size. */
  window.addEventListener("beforeprint", function () {
    Object.values(window.Chart.instances || {}).forEach(function (chart) { chart.resize(); });
  });
})();
