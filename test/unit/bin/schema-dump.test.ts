import { normaliseDump } from '../../../bin/schema-dump';

describe('normalising a pg_dump of the schema', () => {
  it('keeps the statements and their comments, without what changes with the pg_dump version or run', () => {
    const dump = [
      '--',
      '-- PostgreSQL database dump',
      '--',
      '',
      '\\restrict AJzUuqrEZblCE5ptuWDL82MUboXgfsRmZOseyT8hRPTyFZeo1JJvbsRD4TZm848',
      '',
      '-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)',
      '-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)',
      '',
      'SET statement_timeout = 0;',
      "SELECT pg_catalog.set_config('search_path', '', false);",
      'SET default_table_access_method = heap;',
      '',
      '--',
      '-- Name: book_counter; Type: TABLE; Schema: public; Owner: -',
      '--',
      '',
      'CREATE TABLE public.book_counter (',
      '    book text NOT NULL',
      ');',
      '',
      '',
      '--',
      '-- PostgreSQL database dump complete',
      '--',
      '',
      '\\unrestrict LPTP3tV9SphEcVhFe3fu9CD79WZMtYW58X3h3hgga5dK3KtTNnGaeHcHk81xfcy',
      '',
    ].join('\n');
    expect(normaliseDump(dump)).toBe(
      [
        '--',
        '-- Name: book_counter; Type: TABLE; Schema: public; Owner: -',
        '--',
        '',
        'CREATE TABLE public.book_counter (',
        '    book text NOT NULL',
        ');',
        '',
      ].join('\n'),
    );
  });
});
