/**
 * Ask a text model about any text: type or paste it, and see the class probabilities with the words
 * as the model read them (lowercased, cut to its sequence length) and the ones not in its
 * vocabulary. Props in, `onClassify(text)` out.
 */
import { useState } from 'react';
import { type PredictResult, ResultView } from './PredictBox';
import './training.css';

export interface EncodedText {
  tokens: readonly string[];
  unknown: readonly string[];
  truncated: boolean;
}

export interface TextPredictBoxProps {
  onClassify: (text: string) => void;
  result?: PredictResult | undefined;
  encoded?: EncodedText | undefined;
  busy?: boolean;
  error?: string | undefined;
}

export function TextPredictBox({ onClassify, result, encoded, busy = false, error }: TextPredictBoxProps) {
  const [text, setText] = useState('');
  return (
    <div className="predict-box predict-text-box">
      <textarea
        data-testid="predict-text"
        rows={5}
        value={text}
        placeholder="Type or paste an e-mail…"
        onChange={(e) => setText(e.target.value)}
      />
      <button
        type="button"
        className="primary"
        disabled={busy || text.trim() === ''}
        onClick={() => onClassify(text)}
        data-testid="predict-run"
      >
        {busy ? 'Classifying…' : 'Classify'}
      </button>
      {error && (
        <p className="alert-error" data-testid="predict-error">
          {error}
        </p>
      )}
      {result && !error && (
        <div data-testid="predict-result">
          <ResultView result={result} />
        </div>
      )}
      {encoded && !error && (
        <p className="muted small" data-testid="predict-words">
          Read as {encoded.tokens.length} word{encoded.tokens.length === 1 ? '' : 's'}
          {encoded.truncated ? ' (cut to the model’s length)' : ''}.
          {encoded.unknown.length > 0 && (
            <>
              {' '}
              Not in the vocabulary (read as &lt;unk&gt;):{' '}
              <span data-testid="predict-unknown">{encoded.unknown.slice(0, 30).join(', ')}</span>
              {encoded.unknown.length > 30 ? ` and ${encoded.unknown.length - 30} more` : ''}.
            </>
          )}
        </p>
      )}
    </div>
  );
}
