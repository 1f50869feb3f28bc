// Package shop is faultline's domain: products (and, as the issues land,
// users, wallets and orders). Its rules return apperr errors; it knows
// nothing of GraphQL, HTTP or SQL. Storage is behind the interfaces it
// declares, implemented by package store.
package shop
