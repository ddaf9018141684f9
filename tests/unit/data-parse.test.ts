import { describe, it, expect } from 'vitest';
import { detectFormat, splitFromFileName, sourceRows } from '../../src/domain/data/read-source';
import { textChunks, textLines, bufferSource, streamChunks } from '../../src/domain/data/byte-source';
import { jsonLinesFromChunks } from '../../src/domain/data/json-lines';
import { jsonArrayElements } from '../../src/domain/data/json-array';
import { DataFileError } from '../../src/domain/data/errors';
import { writeParquet, QA_COLUMNS, type Codec } from '../fixtures/data/parquet-writer';
import { collect, jsonl, row, rowsOf, textSource } from '../fixtures/data/helpers';

const ROWS = [
  row('Patient takes lasix 40 mg daily.', 'What is the dosage of lasix?', '40 mg', { id: 'a1' }),
  row('Café au lait spots noted on 03/04/2019. Naïve to µg dosing 😀.', 'When were the spots noted?', '03/04/2019'),
];

async function* fromArray<T>(xs: T[]): AsyncGenerator<T> {
  for (const x of xs) yield x;
}

describe('JSON Lines', () => {
  it('reads one row per line, ignoring blank lines and a BOM, with CRLF endings', async () => {
    const text = '\uFEFF' + ROWS.map((r) => JSON.stringify(r)).join('\r\n\r\n') + '\r\n';
    const rows = await rowsOf('train.jsonl', text);
    expect(rows.map((r) => r.value)).toEqual(ROWS);
    expect(rows.map((r) => r.where)).toEqual(['line 1', 'line 3']);
    expect(rows.map((r) => r.index)).toEqual([0, 1]);
  });

  it('decodes multi-byte characters split across chunk boundaries', async () => {
    const bytes = new TextEncoder().encode('{"q":"😀é"}\n{"q":"日本"}');
    const chunks = Array.from(bytes, (b) => new Uint8Array([b]));
    const lines = await collect(textLines(textChunks(fromArray(chunks))));
    expect(lines).toEqual(['{"q":"😀é"}', '{"q":"日本"}']);
  });

  it('reports an undecodable line as a row with a parse error (the truncated last line too)', async () => {
    const text = jsonl([ROWS[0]]) + '{"context": "abc", "quest';
    const rows = await rowsOf('cut.jsonl', text);
    expect(rows).toHaveLength(2);
    expect(rows[1].parseError).toMatch(/line 2 is not valid JSON/);
  });

  it('reads JSON Lines saved under a .json name (datasets.to_json default)', async () => {
    const src = textSource('train.json', jsonl(ROWS));
    expect(await detectFormat(src)).toBe('jsonl');
    expect((await collect(sourceRows(src, 'train'))).map((r) => r.value)).toEqual(ROWS);
  });
});

describe('JSON arrays and documents', () => {
  it('reads a JSON array of rows element by element, with brackets and commas inside strings', async () => {
    const tricky = row('He said "[a, b]" {x} \\ then 5 mg.', 'Dose?', '5 mg');
    const text = JSON.stringify([ROWS[0], tricky, ROWS[1]], null, 2);
    const rows = await rowsOf('rows.json', text);
    expect(rows.map((r) => r.value)).toEqual([ROWS[0], tricky, ROWS[1]]);
  });

  it('splits array elements correctly whatever the chunking', async () => {
    const text = JSON.stringify([ROWS[0], [1, [2]], 'x,]', 3, ROWS[1]]);
    for (const size of [1, 2, 7, 1000]) {
      const parts: string[] = [];
      for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
      const els = await collect(jsonArrayElements(fromArray(parts), 'f.json'));
      expect(els.map((e) => JSON.parse(e))).toEqual([ROWS[0], [1, [2]], 'x,]', 3, ROWS[1]]);
    }
  });

  it('a truncated JSON array is an error for the whole file', async () => {
    const text = JSON.stringify(ROWS).slice(0, -20);
    await expect(rowsOf('rows.json', text)).rejects.toThrow(/rows\.json: the JSON array ends before its closing/);
  });

  it('an empty array gives zero rows', async () => {
    expect(await rowsOf('empty.json', ' [ ] ')).toEqual([]);
  });

  it('reads SQuAD v1.1 and names each qa by its path', async () => {
    const doc = {
      version: '1.1',
      data: [
        {
          title: 'Lasix',
          paragraphs: [
            { context: 'Lasix 40 mg daily.', qas: [{ id: 'q1', question: 'Dose?', answers: [{ text: '40 mg', answer_start: 6 }, { text: '40 mg daily', answer_start: 6 }] }] },
            { context: 'Aspirin 81 mg.', qas: [{ id: 'q2', question: 'Aspirin dose?', answers: [{ text: '81 mg', answer_start: 8 }] }] },
          ],
        },
      ],
    };
    const rows = await rowsOf('train-v1.1.json', JSON.stringify(doc, null, 1));
    expect(rows.map((r) => r.where)).toEqual(['data[0].paragraphs[0].qas[0]', 'data[0].paragraphs[1].qas[0]']);
    expect(rows[0].value).toEqual({
      id: 'q1',
      title: 'Lasix',
      context: 'Lasix 40 mg daily.',
      question: 'Dose?',
      answers: [{ text: '40 mg', answer_start: 6 }, { text: '40 mg daily', answer_start: 6 }],
    });
  });

  it('reads SQuAD v2 unanswerable questions as rows with no answers', async () => {
    const doc = {
      version: 'v2.0',
      data: [{ title: 't', paragraphs: [{ context: 'abc', qas: [{ id: 'u', question: 'q?', answers: [], plausible_answers: [{ text: 'b', answer_start: 1 }], is_impossible: true }] }] }],
    };
    const rows = await rowsOf('dev-v2.0.json', JSON.stringify(doc));
    expect((rows[0].value as { answers: unknown }).answers).toEqual([]);
  });

  it('a truncated SQuAD document is a clear file error', async () => {
    const text = JSON.stringify({ data: [{ title: 't', paragraphs: [{ context: 'abc', qas: [] }] }] }, null, 2).slice(0, -5);
    const err = await rowsOf('dev.json', text).catch((e) => e);
    expect(err).toBeInstanceOf(DataFileError);
    expect(err.message).toMatch(/^dev\.json: not valid JSON, the file may be truncated/);
  });

  it('a SQuAD document with a broken structure names the place', async () => {
    await expect(rowsOf('x.json', JSON.stringify({ data: [{ title: 't', paragraphs: [{ context: 'c' }] }] }))).rejects.toThrow(
      /x\.json: data\[0\]\.paragraphs\[0\] must be an object with a "qas" list/,
    );
  });

  it('reads a {"data": [rows]} wrapper', async () => {
    const rows = await rowsOf('w.json', JSON.stringify({ version: 1, data: ROWS }, null, 2));
    expect(rows.map((r) => r.value)).toEqual(ROWS);
  });
});

describe('bad files', () => {
  it('an empty file is an error', async () => {
    await expect(rowsOf('empty.jsonl', '')).rejects.toThrow(/empty\.jsonl: the file is empty/);
    await expect(rowsOf('blank.json', '  \n\n ')).rejects.toThrow(/blank\.json: the file is empty/);
  });

  it('a file that is not JSON or Parquet is an error', async () => {
    await expect(rowsOf('notes.json', 'context,question\nabc,def')).rejects.toThrow(/notes\.json: not a dataset file/);
  });

  it('a 5 MB single context is read and kept whole', async () => {
    const context = 'The patient was stable. '.repeat(220_000) + 'Lasix 40 mg daily.';
    expect(context.length).toBeGreaterThan(5_000_000);
    const rows = await rowsOf('big.jsonl', jsonl([row(context, 'What is the dosage of lasix?', '40 mg')]));
    expect(rows).toHaveLength(1);
    expect((rows[0].value as { context: string }).context).toHaveLength(context.length);
  });
});

describe('Parquet', () => {
  const pqRows = [
    { context: 'Lasix 40 mg daily.', question: 'Dose of lasix?', answers: { text: ['40 mg'], answer_start: [6], answer_end: [11] } },
    { context: 'No answer here.', question: 'Anything?', answers: { text: [], answer_start: [], answer_end: [] } },
    { context: 'Aspirin 81 mg, café 😀.', question: 'Aspirin dose?', answers: { text: ['81 mg'], answer_start: [8], answer_end: [13] } },
  ];

  for (const codec of ['UNCOMPRESSED', 'SNAPPY', 'ZSTD', 'GZIP'] as Codec[]) {
    it(`reads Hub-layout rows (answers struct of lists, int64 offsets) with ${codec} pages and dictionaries, across row groups`, async () => {
      const bytes = writeParquet(pqRows, { columns: QA_COLUMNS, codec, dictionary: true, rowGroupSize: 2 });
      const src = bufferSource('train-00000-of-00001.parquet', bytes);
      expect(await detectFormat(src)).toBe('parquet');
      let lastBytes = 0;
      const rows = await collect(sourceRows(src, 'train', (b) => (lastBytes = b)));
      expect(rows.map((r) => r.where)).toEqual(['row 0', 'row 1', 'row 2']);
      const values = rows.map((r) => r.value as { answers: { answer_start: unknown[] } });
      expect(values[0]).toMatchObject({ context: pqRows[0].context, question: pqRows[0].question });
      expect(values[0].answers.answer_start).toEqual([6n]);
      expect(values[2]).toMatchObject({ context: pqRows[2].context });
      expect(lastBytes).toBe(bytes.byteLength);
    });
  }

  it('a truncated Parquet file is a clear error', async () => {
    const bytes = writeParquet(pqRows, { columns: QA_COLUMNS, codec: 'SNAPPY' });
    const cut = bytes.slice(0, bytes.length - 30);
    await expect(rowsOf('train.parquet', cut)).rejects.toThrow(/train\.parquet: not a complete Parquet file.*truncated/);
  });

  it('a Parquet file without the QA columns names what it has', async () => {
    const bytes = writeParquet([{ text: 'a', label: 1 }], { columns: [{ name: 'text', type: 'string' }, { name: 'label', type: 'int32' }] });
    await expect(rowsOf('imdb.parquet', bytes)).rejects.toThrow(/no column "context", "question", "answers" \(columns: text, label\)/);
  });

  it('a .parquet name on a non-Parquet file is an error', async () => {
    await expect(rowsOf('x.parquet', '{"a":1}')).rejects.toThrow(/x\.parquet: not a Parquet file/);
  });
});

describe('split names from file names', () => {
  it('guesses train, validation and test', () => {
    expect(splitFromFileName('train-v1.1.json')).toBe('train');
    expect(splitFromFileName('dev-v2.0.json')).toBe('validation');
    expect(splitFromFileName('emrqa_validation.jsonl')).toBe('validation');
    expect(splitFromFileName('test-00000-of-00001.parquet')).toBe('test');
    expect(splitFromFileName('my_data.jsonl')).toBe('train');
  });
});

describe('JSON Lines from a stream', () => {
  it('reads rows straight from a ReadableStream of byte chunks', async () => {
    const rows = await collect(jsonLinesFromChunks(streamChunks(new Blob([jsonl(ROWS)]).stream()), 'body.jsonl', 'validation'));
    expect(rows.map((r) => [r.file, r.split, r.value])).toEqual(ROWS.map((r) => ['body.jsonl', 'validation', r]));
  });
});
