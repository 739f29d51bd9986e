import oclif from 'eslint-config-oclif'

export default [
  {ignores: ['dist/', 'node_modules/', 'bench/.data/']},
  ...oclif,
  {
    rules: {
      // The pure core favours plain loops and early returns on the hot path.
      complexity: 'off',
      'max-depth': 'off',
      'no-await-in-loop': 'off',
      'unicorn/prefer-string-slice': 'off',
      'n/no-process-exit': 'off',
      'unicorn/no-process-exit': 'off',
      'perfectionist/sort-classes': 'off',
      'perfectionist/sort-objects': 'off',
      'perfectionist/sort-object-types': 'off',
      'perfectionist/sort-interfaces': 'off',
      'perfectionist/sort-union-types': 'off',
      'perfectionist/sort-switch-case': 'off',
      'unicorn/prefer-code-point': 'off',
      camelcase: 'off',
      'no-warning-comments': 'off',
      '@stylistic/no-mixed-operators': 'off',
      '@stylistic/operator-linebreak': 'off',
      '@stylistic/indent-binary-ops': 'off',
      'mocha/max-top-level-suites': 'off',
      'max-params': ['warn', 6],
      'import/no-named-as-default-member': 'off',
    },
  },
  {
    // Layers point down only: core <- heroku, notify, stream, store <- render <- commands (docs/ARCHITECTURE.md).
    files: ['src/**/*.ts'],
    rules: {
      'import/no-cycle': 'error',
      'import/no-restricted-paths': ['error', {
        zones: [
          {
            from: ['./src/*.ts', './src/commands/**', './src/hooks/**', './src/heroku/**', './src/notify/**', './src/render/**', './src/store/**', './src/stream/**'],
            message: 'core/ is pure: it imports nothing outside core/',
            target: './src/core',
          },
          {from: ['./src/commands', './src/hooks', './src/render'], message: 'adapters never import render/ or commands/', target: ['./src/heroku', './src/notify', './src/store', './src/stream']},
          {from: ['./src/stream', './src/heroku'], message: 'store/ keeps what it is given: it never reads the log or the API', target: './src/store'},
          {from: ['./src/stream'], message: 'heroku/ is the API adapter: it never drives the log stream', target: './src/heroku'},
          {from: ['./src/stream', './src/heroku', './src/store'], message: 'notify/ delivers the alerts it is given: it never reads the log, the API or the store', target: './src/notify'},
          {from: ['./src/commands', './src/stream', './src/heroku', './src/notify', './src/store'], message: 'render/ turns plain data into text: no I/O adapters', target: './src/render'},
        ],
      }],
    },
  },
]
