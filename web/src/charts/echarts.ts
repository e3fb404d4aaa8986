// Imported only with `await import()` (Chart.tsx): echarts is a chunk of its own, loaded
// when the first chart is shown, so the models list and the editor do not wait for it.
import * as echarts from "echarts/core";
import { LineChart, BarChart } from "echarts/charts";
import { GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, MarkAreaComponent, AriaComponent, DataZoomComponent } from "echarts/components";
import { CanvasRenderer, SVGRenderer } from "echarts/renderers";

echarts.use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, MarkAreaComponent, AriaComponent, DataZoomComponent, CanvasRenderer, SVGRenderer]);

export { echarts };
