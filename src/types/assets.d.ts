/** Module types for files embedded with `import ... with { type: 'file' | 'text' }`. */
declare module '*.wasm' {
  const path: string
  export default path
}
declare module '*.data' {
  const path: string
  export default path
}
declare module '*.sql' {
  const text: string
  export default text
}
declare module '*.css' {
  const path: string
  export default path
}
declare module '*swagger-ui-bundle.js' {
  const path: string
  export default path
}
