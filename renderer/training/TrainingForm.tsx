/**
 * The training panel's fields for a TrainingConfig. Props in, `onChange(config)` out. Numeric fields
 * are validated as typed against the project schema's limits: an invalid value is shown (red, with
 * the reason) and not committed; a valid one is committed at once. Each field has a short help text
 * taken from the guide, and a gentle warning for values that are allowed but likely to go wrong.
 */
import { type ReactNode, useEffect, useId, useState } from 'react';
import { LOSSES } from '../../shared/layers/output';
import { OPTIMIZERS, type TrainingConfig } from '../../shared/training/config';
import {
  defaultSchedule,
  EARLY_STOPPING_HELP,
  fieldHint,
  fieldText,
  fieldValue,
  NUMERIC_FIELDS,
  OPTIMIZER_HELP,
  OPTIMIZER_LABELS,
  parseField,
  SCHEDULE_FIELDS,
  SCHEDULE_HELP,
  SCHEDULE_KINDS,
  SCHEDULE_LABELS,
  setField,
  type NumericField,
} from './lib/trainingFields';
import { ratePreview } from '../../shared/training/schedule';
import './training.css';

export interface TrainingFormProps {
  config: TrainingConfig;
  onChange: (config: TrainingConfig) => void;
  /** While a run is going on: everything read-only. */
  disabled?: boolean;
  /** Rows the network trains on (after the split), to show batches per epoch. */
  trainCount?: number;
  /** Shown under the learning-rate field (the learning-rate finder). */
  learningRateTool?: ReactNode;
}

const LOSS_LABELS: Record<TrainingConfig['loss'], string> = {
  auto: 'Automatic (from the Output node)',
  categoricalCrossentropy: 'Categorical cross-entropy',
  sparseCategoricalCrossentropy: 'Sparse categorical cross-entropy',
  binaryCrossentropy: 'Binary cross-entropy',
  meanSquaredError: 'Mean squared error',
  meanAbsoluteError: 'Mean absolute error',
};

function NumberField({
  field,
  value,
  config,
  disabled,
  onCommit,
  extra,
}: {
  field: NumericField;
  value: number | null;
  config: TrainingConfig;
  disabled: boolean;
  onCommit: (config: TrainingConfig) => void;
  extra?: string | undefined;
}) {
  const id = useId();
  const spec = NUMERIC_FIELDS[field];
  const [text, setText] = useState(fieldText(value));
  const [error, setError] = useState<string | null>(null);
  // A value changed from outside (another control, a loaded project): show it, unless the text
  // already says the same thing (e.g. "1e-3" for 0.001).
  useEffect(() => {
    const r = parseField(field, text);
    if (!(r.ok && r.value === value)) {
      setText(fieldText(value));
      setError(null);
    }
  }, [value]); // only when the committed value changes
  const onText = (t: string) => {
    setText(t);
    const r = parseField(field, t);
    if (!r.ok) return setError(r.error);
    const next = setField(config, field, r.value);
    if (!next.ok) return setError(next.error);
    setError(null);
    if (r.value !== value) onCommit(next.config);
  };
  const parsed = parseField(field, text);
  const hint = !error && parsed.ok && parsed.value !== null ? fieldHint(field, parsed.value, config) : null;
  return (
    <div className="field train-field">
      <label htmlFor={id}>{spec.label}</label>
      <input
        id={id}
        type="text"
        inputMode={spec.integer ? 'numeric' : 'decimal'}
        spellCheck={false}
        autoComplete="off"
        data-testid={`train-${field}`}
        className={error ? 'invalid' : ''}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-help`}
        value={text}
        placeholder={spec.empty}
        disabled={disabled}
        onChange={(e) => onText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onText(fieldText(value));
        }}
      />
      <div id={`${id}-help`} className="field-help">
        {error ? (
          <span className="field-error" role="alert">
            {error}
          </span>
        ) : (
          <>
            {hint && <span className="field-hint">{hint} </span>}
            {spec.help}
            {extra && <span className="field-extra"> {extra}</span>}
          </>
        )}
      </div>
    </div>
  );
}

/** A labelled choice among `options`, with its help text. */
function SelectField<T extends string>(props: {
  label: string;
  testId: string;
  value: T;
  options: readonly T[];
  labels: Record<T, string>;
  disabled: boolean;
  onChange: (value: T) => void;
  help: string;
}) {
  const id = useId();
  return (
    <div className="field train-field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        data-testid={props.testId}
        value={props.value}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.value as T)}
      >
        {props.options.map((o) => (
          <option key={o} value={o}>
            {props.labels[o]}
          </option>
        ))}
      </select>
      <div className="field-help">{props.help}</div>
    </div>
  );
}

interface SectionProps {
  config: TrainingConfig;
  onChange: (config: TrainingConfig) => void;
  disabled: boolean;
}

/** Early stopping on or off; its patience and restore-best settings are kept while it is off. */
function EarlyStopping({
  config,
  onChange,
  disabled,
  lastPatience,
  lastRestore,
}: SectionProps & { lastPatience: number; lastRestore: boolean }) {
  const es = config.earlyStopping;
  return (
    <fieldset className="train-early" disabled={disabled}>
      <label className="train-check">
        <input
          type="checkbox"
          data-testid="train-earlyStopping"
          checked={es !== null}
          onChange={(e) =>
            onChange({
              ...config,
              earlyStopping: e.target.checked ? { patience: lastPatience, restoreBest: lastRestore } : null,
            })
          }
        />
        <span>Early stopping</span>
      </label>
      <div className="field-help train-early-help">{EARLY_STOPPING_HELP}</div>
      <div className={`train-early-body${es ? '' : ' off'}`}>
        <NumberField
          field="patience"
          value={es?.patience ?? lastPatience}
          config={config}
          disabled={disabled || es === null}
          onCommit={onChange}
        />
        <label className="train-check train-restore">
          <input
            type="checkbox"
            data-testid="train-restoreBest"
            checked={es?.restoreBest ?? lastRestore}
            disabled={disabled || es === null}
            onChange={(e) =>
              es && onChange({ ...config, earlyStopping: { ...es, restoreBest: e.target.checked } })
            }
          />
          <span>Restore the best epoch&rsquo;s weights when stopping</span>
        </label>
      </div>
    </fieldset>
  );
}

/** The learning-rate schedule, weight decay and gradient clipping. */
function ScheduleAndRegularisation({ config, onChange, disabled }: SectionProps) {
  const kind = config.schedule?.kind ?? 'none';
  const preview = ratePreview(config);
  const last = preview?.at(-1);
  return (
    <fieldset className="train-schedule" disabled={disabled} data-testid="train-schedule-section">
      <SelectField
        label="Learning-rate schedule"
        testId="train-schedule"
        value={kind}
        options={SCHEDULE_KINDS}
        labels={SCHEDULE_LABELS}
        disabled={disabled}
        onChange={(k) => onChange({ ...config, schedule: k === 'none' ? null : defaultSchedule(k, config) })}
        help={
          SCHEDULE_HELP[kind] +
          (last !== undefined ? ` Last epoch: ${fieldText(Number(last.toPrecision(3)))}.` : '')
        }
      />
      {config.schedule &&
        SCHEDULE_FIELDS[config.schedule.kind].map((field) => (
          <NumberField
            key={field}
            field={field}
            value={fieldValue(config, field)}
            config={config}
            disabled={disabled}
            onCommit={onChange}
          />
        ))}
      <NumberField
        field="weightDecay"
        value={config.weightDecay}
        config={config}
        disabled={disabled}
        onCommit={onChange}
      />
      <NumberField
        field="clipNorm"
        value={config.clipNorm}
        config={config}
        disabled={disabled}
        onCommit={onChange}
      />
    </fieldset>
  );
}

/** Shuffling and the loss, folded away. */
function MoreOptions({ config, onChange, disabled }: SectionProps) {
  return (
    <details className="train-more">
      <summary>More options</summary>
      <label className="train-check">
        <input
          type="checkbox"
          data-testid="train-shuffle"
          checked={config.shuffle}
          disabled={disabled}
          onChange={(e) => onChange({ ...config, shuffle: e.target.checked })}
        />
        <span>Shuffle the training rows every epoch</span>
      </label>
      <SelectField
        label="Loss"
        testId="train-loss"
        value={config.loss}
        options={LOSSES}
        labels={LOSS_LABELS}
        disabled={disabled}
        onChange={(loss) => onChange({ ...config, loss })}
        help="What training minimises; automatic picks it from the output."
      />
    </details>
  );
}

export function TrainingForm({
  config,
  onChange,
  disabled = false,
  trainCount,
  learningRateTool,
}: TrainingFormProps) {
  const [lastPatience, setLastPatience] = useState(config.earlyStopping?.patience ?? 5);
  const [lastRestore, setLastRestore] = useState(config.earlyStopping?.restoreBest ?? true);
  useEffect(() => {
    if (config.earlyStopping) {
      setLastPatience(config.earlyStopping.patience);
      setLastRestore(config.earlyStopping.restoreBest);
    }
  }, [config.earlyStopping]);
  const batches =
    trainCount !== undefined && trainCount > 0 && config.batchSize > 0
      ? Math.ceil(trainCount / config.batchSize)
      : undefined;

  return (
    <form
      className="train-form"
      data-testid="train-form"
      onSubmit={(e) => e.preventDefault()}
      aria-disabled={disabled || undefined}
    >
      <SelectField
        label="Optimizer"
        testId="train-optimizer"
        value={config.optimizer}
        options={OPTIMIZERS}
        labels={OPTIMIZER_LABELS}
        disabled={disabled}
        onChange={(optimizer) => onChange({ ...config, optimizer })}
        help={OPTIMIZER_HELP[config.optimizer]}
      />
      <NumberField
        field="learningRate"
        value={config.learningRate}
        config={config}
        disabled={disabled}
        onCommit={onChange}
      />
      {learningRateTool}
      <NumberField
        field="batchSize"
        value={config.batchSize}
        config={config}
        disabled={disabled}
        onCommit={onChange}
        extra={
          batches !== undefined
            ? `${trainCount!.toLocaleString('en-US')} training rows: ${batches.toLocaleString('en-US')} batch${batches === 1 ? '' : 'es'} per epoch.`
            : undefined
        }
      />
      <NumberField
        field="epochs"
        value={config.epochs}
        config={config}
        disabled={disabled}
        onCommit={onChange}
      />
      <NumberField
        field="validationSplit"
        value={config.validationSplit}
        config={config}
        disabled={disabled}
        onCommit={onChange}
        extra={
          config.validationSplit > 0 ? `${Math.round(config.validationSplit * 100)}% of the rows.` : undefined
        }
      />
      <ScheduleAndRegularisation config={config} onChange={onChange} disabled={disabled} />
      <EarlyStopping
        config={config}
        onChange={onChange}
        disabled={disabled}
        lastPatience={lastPatience}
        lastRestore={lastRestore}
      />
      <NumberField field="seed" value={config.seed} config={config} disabled={disabled} onCommit={onChange} />
      <MoreOptions config={config} onChange={onChange} disabled={disabled} />
    </form>
  );
}
