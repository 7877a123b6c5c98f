# expect: 3,4
FROM maven:3.9-eclipse-temurin-21
RUN mvn -B package
RUN ./gradlew build
