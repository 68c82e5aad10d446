// 隐患统计 charts (data from the page; ECharts served locally).
(function () {
  var data = JSON.parse(document.getElementById("hazard-data").textContent);
  if (!window.echarts) return;
  var months = echarts.init(document.getElementById("chart-months"));
  months.setOption({
    tooltip: { trigger: "axis" }, legend: { top: 0, data: ["按期销号", "超期销号", "未销号", "其中超期"] },
    grid: { left: 40, right: 10, top: 40, bottom: 30 }, xAxis: { type: "category", data: data.months }, yAxis: { type: "value" },
    series: [
      { name: "按期销号", type: "bar", stack: "all", data: data.on_time },
      { name: "超期销号", type: "bar", stack: "all", data: data.late },
      { name: "未销号", type: "bar", stack: "all", data: data.open },
      { name: "其中超期", type: "line", data: data.overdue }
    ]
  });
  var party = echarts.init(document.getElementById("chart-party"));
  party.setOption({
    title: { text: "党员发现隐患(按党支部)", textStyle: { fontSize: 13 } }, tooltip: {},
    grid: { left: 40, right: 10, bottom: 60 }, xAxis: { type: "category", data: data.branches, axisLabel: { rotate: 30 } },
    yAxis: { type: "value" }, series: [{ type: "bar", data: data.party }]
  });
  window.addEventListener("resize", function () { months.resize(); party.resize(); });
})();
