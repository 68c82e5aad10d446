// 每月一评 chart: participation, pass rate and average per unit (data from the page, ECharts served locally).
(function () {
  var node = document.getElementById("evaluation-chart");
  var data = JSON.parse(document.getElementById("evaluation-data").textContent);
  if (!node || !window.echarts || !data.units.length) return;
  var chart = echarts.init(node);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["参与率%", "及格率%", "平均分"] },
    grid: { left: 40, right: 10, bottom: 60 },
    xAxis: { type: "category", data: data.units, axisLabel: { rotate: 30 } },
    yAxis: { type: "value", max: 100 },
    series: [
      { name: "参与率%", type: "bar", data: data.participation },
      { name: "及格率%", type: "bar", data: data.pass_rate },
      { name: "平均分", type: "line", data: data.average }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
