import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import jsYaml from 'js-yaml';
import schema from '../../scenarios/scenario.schema.json' with { type: 'json' };
import { LeakwatchError } from '../settings/errors.js';
import {
  type DocumentPath,
  findPosition,
  type LocatedDocument,
  parseWithPositions,
  type SourcePosition,
} from './positions.js';
import { compileTemplate, TemplateError } from './template.js';
import type { Scenario } from './types.js';
import { checkUpstreams } from './validate-upstreams.js';

interface Problem {
  position: SourcePosition;
  message: string;
}

const maxProblemsShown = 10;
const typeNames: Record<string, string> = {
  object: 'a mapping (a JSON object)',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
};
let compiledValidator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  compiledValidator ??= new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true }).compile(schema);
  return compiledValidator;
}

/**
 * Parses a scenario file's text (YAML, or JSON, which YAML includes) and checks it fully: syntax, the schema,
 * templates, and rules the schema cannot express. Every problem names `displayPath:line:column` and the field.
 */
export function parseScenario(options: {
  text: string;
  displayPath: string;
  scenarioDir: string;
  defaultName: string;
  fixturesMayBeMissing?: boolean;
}): Scenario {
  const document = parseYaml(options.text, options.displayPath);
  const data = document.data;
  const validate = schemaValidator();
  const problems: Problem[] = validate(data)
    ? [
        ...checkTemplates(data as Scenario),
        ...checkUpstreams(data as Scenario, options.scenarioDir, options).map((problem) => ({
          position: findPosition(document, ['upstreams', problem.index, problem.field]),
          message: problem.message,
        })),
      ]
    : (validate.errors ?? []).flatMap((error) => describeSchemaError(error, data, document));
  if (problems.length === 0) {
    const scenario = data as Scenario & { $schema?: string };
    delete scenario.$schema;
    return { ...scenario, name: scenario.name ?? options.defaultName };
  }
  throw invalidScenarioError(options.displayPath, problems);

  function checkTemplates(scenario: Scenario): Problem[] {
    return scenario.requests.flatMap((request, index) => {
      const fields: [DocumentPath, string | undefined][] = [
        [['requests', index, 'path'], request.path],
        [['requests', index, 'body'], request.body],
        ...Object.entries(request.headers ?? {}).map(([name, value]): [DocumentPath, string] => [
          ['requests', index, 'headers', name],
          value,
        ]),
      ];
      return fields.flatMap(([fieldPath, template]) => {
        if (template === undefined) return [];
        try {
          compileTemplate(template);
          return [];
        } catch (error) {
          if (!(error instanceof TemplateError)) throw error;
          return [
            {
              position: findPosition(document, fieldPath, { offsetInValue: error.offset }),
              message: `${fieldName(fieldPath)} has a bad template: ${error.message}`,
            },
          ];
        }
      });
    });
  }
}

/** The document with its nodes' positions; a syntax error is the scenario's one problem, where js-yaml stopped. */
function parseYaml(text: string, displayPath: string): LocatedDocument {
  try {
    return parseWithPositions(text);
  } catch (error) {
    if (!(error instanceof jsYaml.YAMLException)) throw error;
    const position = { line: error.mark.line + 1, column: error.mark.column + 1 };
    throw invalidScenarioError(displayPath, [{ position, message: `YAML syntax error: ${error.reason}` }]);
  }
}

function describeSchemaError(error: ErrorObject, data: unknown, document: LocatedDocument): Problem[] {
  const documentPath = toDocumentPath(error.instancePath, data);
  const field = fieldName(documentPath);
  const allowed = (error.parentSchema as { description?: string } | undefined)?.description;
  const expected = allowed ? `; expected ${allowed}` : '';
  const position = (key?: string) => findPosition(document, documentPath, { key });
  const got = ` (got ${JSON.stringify(error.data)})`;
  const params = error.params as Record<string, unknown>;

  switch (error.keyword) {
    case 'additionalProperties': {
      const unknown = String(params.additionalProperty);
      const properties = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      const fieldsAllowed =
        properties.length > 0 ? `allowed fields: ${properties.join(', ')}` : `expected ${allowed}`;
      return [
        {
          position: position(unknown),
          message: `${field} has an unknown field "${unknown}"; ${fieldsAllowed}`,
        },
      ];
    }
    case 'required':
      return [
        {
          position: position(),
          message: `${field} is missing the required field "${String(params.missingProperty)}"`,
        },
      ];
    case 'propertyNames':
      return [
        {
          position: position(String(params.propertyName)),
          message: `${field} has an invalid name "${String(params.propertyName)}"${expected}`,
        },
      ];
    case 'type': {
      const types = [params.type].flat().map((type) => typeNames[String(type)] ?? String(type));
      const rootExpected = '; a scenario needs at least a "requests" list';
      return [
        {
          position: position(),
          message: `${field} must be ${types.join(' or ')}${got}${documentPath.length === 0 ? rootExpected : expected}`,
        },
      ];
    }
    case 'enum':
      return [
        {
          position: position(),
          message: `${field} must be one of ${(params.allowedValues as unknown[]).join(', ')}${got}`,
        },
      ];
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return [
        {
          position: position(),
          message: `${field} must be ${String(params.comparison)} ${String(params.limit)}${got}${expected}`,
        },
      ];
    default:
      // Keywords raised for property names repeat the propertyNames error above.
      if (error.propertyName !== undefined) return [];
      return [
        { position: position(), message: `${field} ${error.message ?? 'is invalid'}${got}${expected}` },
      ];
  }
}

// JSON pointers do not say whether a segment is an array index; the data does.
function toDocumentPath(instancePath: string, data: unknown): DocumentPath {
  const documentPath: DocumentPath = [];
  let value = data;
  for (const raw of instancePath.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    documentPath.push(Array.isArray(value) ? Number(segment) : segment);
    value = (value as Record<string, unknown> | undefined)?.[segment];
  }
  return documentPath;
}

function fieldName(documentPath: DocumentPath): string {
  if (documentPath.length === 0) return 'the scenario';
  return documentPath
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${segment}`,
    )
    .join('');
}

function invalidScenarioError(displayPath: string, problems: Problem[]): LeakwatchError {
  const sorted = [...problems].sort(
    (a, b) => a.position.line - b.position.line || a.position.column - b.position.column,
  );
  const lines = sorted
    .slice(0, maxProblemsShown)
    .map(
      (problem) => `${displayPath}:${problem.position.line}:${problem.position.column}: ${problem.message}`,
    );
  if (sorted.length > maxProblemsShown)
    lines.push(`... and ${sorted.length - maxProblemsShown} more problems`);
  return new LeakwatchError('SCENARIO_INVALID', `Scenario ${displayPath} is invalid:\n${lines.join('\n')}`, {
    hint: 'The format is described in docs/scenarios.md and in scenarios/scenario.schema.json.',
  });
}
