import oclif from 'eslint-config-oclif'

export default [
  {ignores: ['dist/', 'node_modules/', 'bench/.data/']},
  ...oclif,
  {
    rules: {
      // The pure core favours plain loops and early returns on the hot path.
      'complexity': 'off',
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
      'camelcase': 'off',
      'no-warning-comments': 'off',
      '@stylistic/no-mixed-operators': 'off',
      '@stylistic/operator-linebreak': 'off',
      '@stylistic/indent-binary-ops': 'off',
      'mocha/max-top-level-suites': 'off',
      'max-params': ['warn', 6],
      'import/no-named-as-default-member': 'off',
    },
  },
]
