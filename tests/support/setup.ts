// TypeGraphQL's decorators need the Reflect metadata API before any schema module loads.
import 'reflect-metadata';
