import { describe, expect, it } from 'vitest';
import { href, matchRoute, parseHash, withQuery } from './router';

describe('hash routes', () => {
  it('matches every page', () => {
    expect(matchRoute('/')).toEqual({ page: 'models' });
    expect(matchRoute('/models')).toEqual({ page: 'models' });
    expect(matchRoute('/models/res%20net')).toEqual({ page: 'model', model: 'res net' });
    expect(matchRoute('/models/m/compress')).toEqual({ page: 'compress', model: 'm' });
    expect(matchRoute('/models/m/routing')).toEqual({ page: 'routing', model: 'm' });
    expect(matchRoute('/models/m/experiments')).toEqual({ page: 'experiments', model: 'm' });
    expect(matchRoute('/models/m/playground')).toEqual({ page: 'playground', model: 'm' });
    expect(matchRoute('/dashboard')).toEqual({ page: 'dashboard' });
    expect(matchRoute('/nope')).toEqual({ page: 'notFound', path: '/nope' });
  });

  it('splits the query off the hash', () => {
    const location = parseHash('#/models/m/compress?version=2&job=abc');
    expect(location.path).toBe('/models/m/compress');
    expect(location.query.get('version')).toBe('2');
    expect(location.query.get('job')).toBe('abc');
  });

  it('builds encoded links', () => {
    expect(href('models', 'a b', 'routing')).toBe('#/models/a%20b/routing');
    expect(withQuery(href('models', 'm', 'playground'), { version: 3, job: null })).toBe('#/models/m/playground?version=3');
  });
});
