// 履职评价 charts: the six responsibilities as a radar, and the trend of the totals (data from the page; ECharts local).
(function () {
  var data = JSON.parse(document.getElementById("scorecard-data").textContent);
  if (!window.echarts) return;
  var charts = [];
  var radarBox = document.getElementById("chart-radar");
  if (radarBox) {
    var radar = echarts.init(radarBox);
    radar.setOption({
      tooltip: {}, legend: { type: "scroll", bottom: 0 },
      radar: { indicator: data.axes.map(function (a) { return { name: a, max: 100 }; }), radius: "62%" },
      series: [{ type: "radar", data: data.series.map(function (s) { return { name: s.name, value: s.values }; }) }]
    });
    charts.push(radar);
  }
  var trendBox = document.getElementById("chart-trend");
  if (trendBox && data.trend) {
    var trend = echarts.init(trendBox);
    trend.setOption({
      title: { text: "总分趋势", textStyle: { fontSize: 13 } }, tooltip: { trigger: "axis" },
      grid: { left: 40, right: 10, bottom: 50 }, xAxis: { type: "category", data: data.trend.labels, axisLabel: { rotate: 20 } },
      yAxis: { type: "value", min: 0, max: 100 }, series: [{ type: "line", data: data.trend.values }]
    });
    charts.push(trend);
  }
  // 驾驶舱: the six responsibilities as bars side by side for each branch (or mine); a tap on a bar or a name opens it
  var sidesBox = document.getElementById("chart-sides");
  if (sidesBox && data.names) {
    var sides = echarts.init(sidesBox);
    sides.setOption({
      tooltip: { trigger: "axis", confine: true },
      legend: { type: "scroll", top: 0 },
      grid: { left: 4, right: 16, top: 34, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: {
        type: "category", data: data.names, inverse: true, triggerEvent: true,
        axisLabel: { width: 88, overflow: "truncate" }
      },
      series: data.axes.map(function (a, i) {
        return { name: a, type: "bar", data: data.series[i], barMaxWidth: 7, barGap: "15%" };
      })
    });
    sides.on("click", function (p) {
      var index = p.componentType === "yAxis" ? data.names.indexOf(p.value) : p.dataIndex;
      var url = data.links[index];
      if (url) window.location.href = url;
    });
    charts.push(sides);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
