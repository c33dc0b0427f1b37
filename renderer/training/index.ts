/** The training and evaluation views: pure presentational components (props in, callbacks out). */
export { BaselineLadder, type BaselineLadderProps } from './BaselineLadder';
export { ConfusionMatrix, type ConfusionMatrixProps } from './ConfusionMatrix';
export { DataPreview, type DataPreviewData, type DataPreviewProps } from './DataPreview';
export { DecisionBoundary, type DecisionBoundaryProps } from './DecisionBoundary';
export { GrayImage, type GrayImageProps } from './GrayImage';
export { LiveChart, type ChartSeries, type LiveChartProps } from './LiveChart';
export { MisclassifiedList, type MisclassifiedListProps } from './MisclassifiedList';
export { PredictBox, type PredictBoxProps, type PredictInput, type PredictResult } from './PredictBox';
export { RegressionScatter, type RegressionScatterProps } from './RegressionScatter';
export { RunHistory, type RunHistoryProps } from './RunHistory';
export { ScatterCanvas, type ScatterCanvasProps } from './ScatterCanvas';
export { TrainingForm, type TrainingFormProps } from './TrainingForm';
export { TrainingStatus, type TrainingStatusKind, type TrainingStatusProps } from './TrainingStatus';
export { gridCellCentre, gridForPoints, type Grid } from './lib/boundary';
export { classColor, seriesColor, CLASS_COLORS, SERIES_COLORS } from './lib/colors';
