// The ECharts our pages draw, bundled by scripts/copy_assets.py (esbuild, from the npm `echarts` package) into
// static_vendor/vendor/echarts/echarts.hongling.min.js, which sets `window.echarts`. A chart type or component a page
// script starts to use is added here (common/tests/test_static_assets.py checks the scripts in static/js against it).
import { getInstanceByDom, init, use } from "echarts/core";
import { BarChart, LineChart, RadarChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  RadarComponent,
  TitleComponent,
  TooltipComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

use([
  BarChart,
  LineChart,
  RadarChart,
  GridComponent,
  LegendComponent,
  RadarComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export { getInstanceByDom, init };
